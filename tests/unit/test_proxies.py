"""Whom to believe about the caller's address: forwarded headers from trusted proxies only."""

from __future__ import annotations

import pytest

from inspect_app.proxies import client_address, forwarded_elements, forwarding_chain
from inspect_app.settings import ConfigurationError, parse_trusted_proxies

PROXIES = parse_trusted_proxies("10.0.0.0/8, 192.0.2.10")


def test_trusted_proxies_parse_addresses_and_networks() -> None:
    assert [str(n) for n in parse_trusted_proxies("127.0.0.1 10.1.0.0/16,::1")] == [
        "127.0.0.1/32",
        "10.1.0.0/16",
        "::1/128",
    ]
    assert parse_trusted_proxies("") == ()


def test_a_wrong_trusted_proxy_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES"):
        parse_trusted_proxies("10.0.0.0/8 caddy")


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    assert client_address("203.0.113.5", ["198.51.100.1"], PROXIES) == "203.0.113.5"
    assert client_address("203.0.113.5", ["198.51.100.1"], ()) == "203.0.113.5"


def test_a_trusted_peer_gives_the_right_most_untrusted_hop() -> None:
    # The client wrote "1.1.1.1" itself; the proxy appended the address it really saw.
    assert client_address("10.0.0.2", ["1.1.1.1", "203.0.113.9"], PROXIES) == "203.0.113.9"
    # Two trusted proxies in a row are skipped.
    chain = ["1.1.1.1", "203.0.113.9", "192.0.2.10"]
    assert client_address("10.0.0.2", chain, PROXIES) == "203.0.113.9"


def test_a_chain_of_only_trusted_hops_gives_the_left_most() -> None:
    assert client_address("10.0.0.2", ["10.0.0.7", "10.0.0.8"], PROXIES) == "10.0.0.7"
    assert client_address("10.0.0.2", [], PROXIES) == "10.0.0.2"


def test_a_hop_that_is_not_an_address_keeps_the_peer() -> None:
    assert client_address("10.0.0.2", ["203.0.113.9", "unknown"], PROXIES) == "10.0.0.2"


def test_ports_and_brackets_are_stripped() -> None:
    assert client_address("10.0.0.2", ["203.0.113.9:5123"], PROXIES) == "203.0.113.9"
    assert client_address("10.0.0.2", ['"[2001:db8::17]:4711"'], PROXIES) == "2001:db8::17"
    assert client_address("10.0.0.2", ["2001:db8::18"], PROXIES) == "2001:db8::18"


def test_x_forwarded_for_is_read_before_forwarded_and_x_real_ip() -> None:
    headers = [
        (b"x-real-ip", b"198.51.100.3"),
        (b"forwarded", b'for=198.51.100.9;proto=https, for="[2001:db8::1]:80"'),
        (b"x-forwarded-for", b"198.51.100.2"),
    ]
    chain, proto = forwarding_chain(headers)
    assert chain == ["198.51.100.2"]
    assert proto == "https"
    chain, _ = forwarding_chain(headers[:2])
    assert chain == ["198.51.100.9", "[2001:db8::1]:80"]
    chain, _ = forwarding_chain(headers[:1])
    assert chain == ["198.51.100.3"]


def test_several_x_forwarded_for_headers_make_one_chain() -> None:
    chain, proto = forwarding_chain(
        [
            (b"x-forwarded-for", b"1.1.1.1, 2.2.2.2"),
            (b"x-forwarded-for", b"3.3.3.3"),
            (b"x-forwarded-proto", b"https"),
        ]
    )
    assert chain == ["1.1.1.1", "2.2.2.2", "3.3.3.3"]
    assert proto == "https"


def test_forwarded_elements_keep_quoted_commas_and_semicolons() -> None:
    assert forwarded_elements(['for="a,b;c";by=x, for=y']) == [
        {"for": "a,b;c", "by": "x"},
        {"for": "y"},
    ]
