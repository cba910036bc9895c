"""Vietnamese vocabulary for generated data: agencies, people, enterprises, places, case texts.

Everything here is plain data plus small pickers that take an explicit ``random.Random``, so
that the demo and the bulk generator stay deterministic for a given seed. Names of real laws
and decrees are used as legal bases because users recognise them; every person, enterprise and
document number is invented.
"""

from __future__ import annotations

import random
from datetime import date

# --------------------------------------------------------------------------- places

# The province as it exists since 1/7/2025 (Hà Nam, Nam Định and Ninh Bình became Ninh Bình);
# the demo keeps the inspectorates of Hà Nam and Nam Định as merged predecessors.
DEMO_PROVINCE = "Ninh Bình"

# Communes and wards of the demo province, grouped by the former district they belonged to
# (used in addresses: "xã Thanh Hà, huyện Thanh Liêm").
DEMO_COMMUNES: dict[str, list[str]] = {
    "thành phố Phủ Lý": [
        "phường Lam Hạ",
        "phường Liêm Chính",
        "phường Châu Sơn",
        "phường Quang Trung",
        "xã Tiên Tân",
        "xã Phù Vân",
    ],
    "thị xã Duy Tiên": [
        "phường Hòa Mạc",
        "phường Đồng Văn",
        "xã Mộc Bắc",
        "xã Chuyên Ngoại",
        "xã Tiên Sơn",
    ],
    "thị xã Kim Bảng": [
        "phường Ba Sao",
        "phường Quế",
        "xã Tượng Lĩnh",
        "xã Nhật Tân",
        "xã Khả Phong",
    ],
    "huyện Thanh Liêm": [
        "xã Thanh Hà",
        "xã Thanh Hải",
        "xã Thanh Nghị",
        "xã Liêm Cần",
        "xã Thanh Tâm",
    ],
    "huyện Bình Lục": ["xã Bình Nghĩa", "xã Tràng An", "xã Đồng Du", "xã An Lão", "xã Bối Cầu"],
    "huyện Lý Nhân": ["xã Nhân Thịnh", "xã Nhân Mỹ", "xã Hòa Hậu", "xã Chân Lý", "xã Đạo Lý"],
}

STREETS = [
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Văn Trỗi",
    "Biên Hòa",
    "Lê Hoàn",
    "Quy Lưu",
    "Trường Chinh",
    "Lý Thường Kiệt",
    "Đinh Tiên Hoàng",
    "Nguyễn Viết Xuân",
    "Lê Công Thanh",
    "Quốc lộ 1A",
    "Quốc lộ 21",
    "Quốc lộ 38",
    "Trần Phú",
    "Hai Bà Trưng",
]

# The 63 provinces and centrally-run cities before the 2025 merger, for the national tree.
PROVINCES = [
    "Hà Nội",
    "Hà Giang",
    "Cao Bằng",
    "Bắc Kạn",
    "Tuyên Quang",
    "Lào Cai",
    "Điện Biên",
    "Lai Châu",
    "Sơn La",
    "Yên Bái",
    "Hòa Bình",
    "Thái Nguyên",
    "Lạng Sơn",
    "Quảng Ninh",
    "Bắc Giang",
    "Phú Thọ",
    "Vĩnh Phúc",
    "Bắc Ninh",
    "Hải Dương",
    "Hải Phòng",
    "Hưng Yên",
    "Thái Bình",
    "Hà Nam",
    "Nam Định",
    "Ninh Bình",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Quảng Bình",
    "Quảng Trị",
    "Thừa Thiên Huế",
    "Đà Nẵng",
    "Quảng Nam",
    "Quảng Ngãi",
    "Bình Định",
    "Phú Yên",
    "Khánh Hòa",
    "Ninh Thuận",
    "Bình Thuận",
    "Kon Tum",
    "Gia Lai",
    "Đắk Lắk",
    "Đắk Nông",
    "Lâm Đồng",
    "Bình Phước",
    "Tây Ninh",
    "Bình Dương",
    "Đồng Nai",
    "Bà Rịa - Vũng Tàu",
    "Thành phố Hồ Chí Minh",
    "Long An",
    "Tiền Giang",
    "Bến Tre",
    "Trà Vinh",
    "Vĩnh Long",
    "Đồng Tháp",
    "An Giang",
    "Kiên Giang",
    "Cần Thơ",
    "Hậu Giang",
    "Sóc Trăng",
    "Bạc Liêu",
    "Cà Mau",
]
# Cities under the central government are "thành phố", the others "tỉnh".
CENTRAL_CITIES = {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Thành phố Hồ Chí Minh", "Cần Thơ"}

# District-level place names, combined freely for the national tree and for addresses.
DISTRICT_NAMES = [
    "Yên Lạc",
    "Tam Dương",
    "Kim Sơn",
    "Gia Viễn",
    "Hoài Đức",
    "Thạch Thất",
    "Đông Anh",
    "Tiên Du",
    "Quế Võ",
    "Gia Lộc",
    "Tứ Kỳ",
    "Thủy Nguyên",
    "Văn Lâm",
    "Khoái Châu",
    "Vũ Thư",
    "Tiền Hải",
    "Hải Hậu",
    "Giao Thủy",
    "Nho Quan",
    "Yên Mô",
    "Thọ Xuân",
    "Hậu Lộc",
    "Quỳnh Lưu",
    "Diễn Châu",
    "Can Lộc",
    "Hương Khê",
    "Lệ Thủy",
    "Bố Trạch",
    "Triệu Phong",
    "Phong Điền",
    "Hòa Vang",
    "Điện Bàn",
    "Núi Thành",
    "Tư Nghĩa",
    "Phù Cát",
    "Tuy An",
    "Cam Lâm",
    "Ninh Phước",
    "Hàm Thuận Bắc",
    "Đắk Hà",
    "Chư Sê",
    "Krông Pắc",
    "Cư Jút",
    "Bảo Lộc",
    "Đồng Xoài",
    "Trảng Bàng",
    "Dĩ An",
    "Long Thành",
    "Châu Đức",
    "Củ Chi",
    "Bến Lức",
    "Cái Bè",
    "Mỏ Cày",
    "Cầu Ngang",
    "Long Hồ",
    "Cao Lãnh",
    "Châu Phú",
    "Giồng Riềng",
    "Ô Môn",
    "Vị Thủy",
    "Mỹ Xuyên",
    "Hồng Dân",
    "Năm Căn",
    "Văn Chấn",
    "Lục Yên",
    "Mai Sơn",
]

COMMUNE_NAMES = [
    "An Bình",
    "An Phú",
    "Bình Minh",
    "Đông Hòa",
    "Đồng Tâm",
    "Hòa Bình",
    "Hưng Đạo",
    "Minh Khai",
    "Nghĩa Hưng",
    "Phú Lộc",
    "Quang Trung",
    "Tân Thành",
    "Thanh Bình",
    "Thành Công",
    "Thuận Thành",
    "Tiên Phong",
    "Trung Hòa",
    "Vĩnh Lộc",
    "Xuân Lâm",
    "Yên Thịnh",
    "Hợp Tiến",
    "Kim Liên",
    "Liên Hiệp",
    "Long Xuyên",
    "Mỹ Lộc",
    "Ngọc Lâm",
    "Phúc Thành",
    "Sơn Hà",
]

# --------------------------------------------------------------------------- agencies

# The divisions of a provincial inspectorate: (code suffix, name).
INSPECTORATE_DIVISIONS: list[tuple[str, str]] = [
    ("NV1", "Phòng Nghiệp vụ 1"),
    ("NV2", "Phòng Nghiệp vụ 2"),
    ("NV3", "Phòng Nghiệp vụ 3"),
    ("TCD", "Phòng Tiếp công dân, xử lý đơn và giải quyết khiếu nại, tố cáo"),
    ("PCTN", "Phòng Phòng, chống tham nhũng, tiêu cực"),
]

# Departments of a provincial People's Committee: (code, name, document abbreviation,
# sectors their cases are about, sub-units as (code, name, abbreviation)).
DEPARTMENTS: list[tuple[str, str, str, list[str], list[tuple[str, str, str]]]] = [
    ("STC", "Sở Tài chính", "STC", ["Tài chính, ngân sách", "Giá", "Đầu tư công"], []),
    ("SXD", "Sở Xây dựng", "SXD", ["Xây dựng", "Giao thông vận tải"], []),
    (
        "SNNMT",
        "Sở Nông nghiệp và Môi trường",
        "SNNMT",
        ["Đất đai", "Môi trường", "Nông nghiệp"],
        [
            ("CCKL", "Chi cục Kiểm lâm", "CCKL"),
            ("CCTTBVTV", "Chi cục Trồng trọt và Bảo vệ thực vật", "CCTTBVTV"),
        ],
    ),
    (
        "SYT",
        "Sở Y tế",
        "SYT",
        ["Y tế", "Dược", "An toàn thực phẩm"],
        [("CCATVSTP", "Chi cục An toàn vệ sinh thực phẩm", "CCATVSTP")],
    ),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "SGDĐT", ["Giáo dục"], []),
    (
        "SCT",
        "Sở Công Thương",
        "SCT",
        ["Thương mại", "Công nghiệp", "Điện lực"],
        [("QLTT", "Chi cục Quản lý thị trường", "QLTT")],
    ),
    ("SNV", "Sở Nội vụ", "SNV", ["Lao động, việc làm", "Tổ chức bộ máy"], []),
    ("SKHCN", "Sở Khoa học và Công nghệ", "SKHCN", ["Tiêu chuẩn đo lường chất lượng"], []),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", ["Văn hóa", "Du lịch"], []),
    ("STP", "Sở Tư pháp", "STP", ["Tư pháp", "Công chứng"], []),
]

# --------------------------------------------------------------------------- people

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trịnh",
    "Đinh",
    "Lương",
    "Mai",
]
SURNAME_WEIGHTS = [38, 11, 9, 7, 5, 3, 4, 4, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Xuân", "Công", "Anh", "Trọng"]
MIDDLE_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Kim", "Phương", "Thúy", "Mai"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Minh",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Giang",
    "Hà",
    "Hạnh",
    "Hiền",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Ngọc",
    "Phương",
    "Tâm",
    "Thảo",
    "Trang",
    "Vân",
    "Yến",
    "Dung",
]


def person_name(rng: random.Random) -> str:
    """A plausible Vietnamese full name: surname, middle name, given name."""
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    if rng.random() < 0.5:
        return f"{surname} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    return f"{surname} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"


# --------------------------------------------------------------------------- subjects

ENTERPRISE_FORMS = [
    ("Công ty TNHH", 40),
    ("Công ty TNHH MTV", 12),
    ("Công ty Cổ phần", 30),
    ("Doanh nghiệp tư nhân", 8),
    ("Hợp tác xã", 5),
    ("Chi nhánh Công ty Cổ phần", 5),
]
ENTERPRISE_TRADES: list[tuple[str, str]] = [
    ("Xây dựng", "Xây dựng"),
    ("Đầu tư và Xây dựng", "Xây dựng"),
    ("Thương mại và Dịch vụ", "Thương mại"),
    ("Đầu tư và Phát triển", "Đất đai"),
    ("Vật liệu xây dựng", "Khoáng sản"),
    ("Khai thác khoáng sản", "Khoáng sản"),
    ("Dược phẩm", "Dược"),
    ("Thực phẩm", "An toàn thực phẩm"),
    ("Chế biến nông sản", "An toàn thực phẩm"),
    ("Môi trường đô thị", "Môi trường"),
    ("Vận tải", "Giao thông vận tải"),
    ("Cơ khí", "Công nghiệp"),
    ("May mặc", "Lao động, việc làm"),
    ("Xăng dầu", "Thương mại"),
    ("Bất động sản", "Đất đai"),
    ("Thiết bị y tế", "Y tế"),
    ("Giáo dục và Đào tạo", "Giáo dục"),
    ("Du lịch", "Du lịch"),
]
ENTERPRISE_BRANDS = [
    "Hoàng Long",
    "Minh Phát",
    "Thành Công",
    "Phúc Thịnh",
    "An Bình",
    "Đại Dương",
    "Trường Sơn",
    "Việt Hưng",
    "Hưng Thịnh",
    "Tân Phát",
    "Kim Sơn",
    "Sông Đáy",
    "Thanh Liêm",
    "Bình Lục",
    "Duy Tiên",
    "Nam Hà",
    "Thăng Long",
    "Hồng Hà",
    "Sao Mai",
    "Phú Cường",
    "Toàn Thắng",
    "Vạn Xuân",
    "Hòa Phát Nam",
    "Đông Á",
    "Tràng An",
    "Lam Sơn",
    "Bắc Hà",
    "Hải Nam",
    "Phương Đông",
    "Quang Minh",
    "Thái Hà",
    "Hà Nam Xanh",
    "Ngọc Sơn",
    "Tiến Đạt",
    "Mạnh Hùng",
]

STATE_BODY_KINDS: list[tuple[str, str]] = [
    ("Ủy ban nhân dân {commune}", "Đất đai"),
    ("Ủy ban nhân dân {commune}", "Tài chính, ngân sách"),
    ("Ban Quản lý dự án đầu tư xây dựng {place}", "Xây dựng"),
    ("Trung tâm Y tế {place}", "Y tế"),
    ("Bệnh viện Đa khoa {place}", "Y tế"),
    ("Trường Trung học phổ thông {place}", "Giáo dục"),
    ("Trường Trung học cơ sở {commune_short}", "Giáo dục"),
    ("Trung tâm Phát triển quỹ đất {place}", "Đất đai"),
    ("Văn phòng Đăng ký đất đai {place}", "Đất đai"),
]
ORGANIZATION_KINDS: list[tuple[str, str]] = [
    ("Quỹ Đầu tư phát triển tỉnh {province}", "Tài chính, ngân sách"),
    ("Hội Chữ thập đỏ tỉnh {province}", "Tài chính, ngân sách"),
    ("Quỹ Bảo trì đường bộ tỉnh {province}", "Giao thông vận tải"),
    ("Liên minh Hợp tác xã tỉnh {province}", "Nông nghiệp"),
    ("Hội Nông dân tỉnh {province}", "Nông nghiệp"),
]
INDIVIDUAL_TRADES: list[tuple[str, str]] = [
    ("Hộ kinh doanh {name}", "An toàn thực phẩm"),
    ("Hộ kinh doanh {name}", "Thương mại"),
    ("Nhà thuốc {brand}", "Dược"),
    ("Ông {name}", "Đất đai"),
    ("Bà {name}", "Đất đai"),
]

SECTORS = sorted(
    {sector for _, sector in ENTERPRISE_TRADES}
    | {sector for _, sector in STATE_BODY_KINDS}
    | {"Phòng, chống tham nhũng", "Tiếp công dân, khiếu nại, tố cáo"}
)


def enterprise_name(rng: random.Random) -> tuple[str, str]:
    """An enterprise name in one of the usual legal forms, and the sector it works in."""
    form = rng.choices([f for f, _ in ENTERPRISE_FORMS], [w for _, w in ENTERPRISE_FORMS])[0]
    trade, sector = rng.choice(ENTERPRISE_TRADES)
    brand = rng.choice(ENTERPRISE_BRANDS)
    if form in {"Doanh nghiệp tư nhân", "Hợp tác xã"}:
        return f"{form} {brand}", sector
    return f"{form} {trade} {brand}", sector


def tax_code(rng: random.Random, province_prefix: int = 7) -> str:
    """A 10-digit enterprise tax code (mã số thuế): two-digit province prefix, then digits."""
    return f"{province_prefix:02d}{rng.randrange(10**8):08d}"


def street_address(rng: random.Random, commune: str, district: str, province: str) -> str:
    """An address such as "Số 12, đường Lê Lợi, phường Lam Hạ, thành phố Phủ Lý, tỉnh Hà Nam"."""
    return (
        f"Số {rng.randint(1, 350)}, đường {rng.choice(STREETS)}, {commune}, {district}, "
        f"{province_label(province)}"
    )


def province_label(province: str) -> str:
    """ "tỉnh Hà Nam", "thành phố Hà Nội"; Hồ Chí Minh City already carries its prefix."""
    if province.startswith("Thành phố"):
        return province
    return f"thành phố {province}" if province in CENTRAL_CITIES else f"tỉnh {province}"


# --------------------------------------------------------------------------- case texts

# Case themes: (title template, finding categories it tends to produce). {subject} is the
# subject's name, {years} the period covered.
Theme = tuple[str, tuple[str, ...]]
THEMES_STATE_BODY: list[Theme] = [
    ("Thanh tra việc quản lý, sử dụng đất đai tại {subject}", ("land",)),
    (
        "Thanh tra việc quản lý, sử dụng ngân sách nhà nước giai đoạn {years} tại {subject}",
        ("finance",),
    ),
    (
        "Thanh tra công tác đầu tư xây dựng cơ bản giai đoạn {years} tại {subject}",
        ("construction", "finance"),
    ),
    (
        "Thanh tra trách nhiệm thực hiện pháp luật về tiếp công dân, giải quyết khiếu nại, tố cáo "
        "và phòng, chống tham nhũng tại {subject}",
        ("anti_corruption",),
    ),
    (
        "Thanh tra việc quản lý, sử dụng tài sản công và mua sắm tập trung tại {subject}",
        ("finance", "construction"),
    ),
    (
        "Thanh tra việc thực hiện chính sách bồi thường, hỗ trợ, tái định cư tại {subject}",
        ("land", "finance"),
    ),
]
THEMES_ENTERPRISE: list[Theme] = [
    ("Thanh tra việc chấp hành pháp luật về đất đai, đầu tư của {subject}", ("land",)),
    (
        "Thanh tra việc chấp hành pháp luật về khai thác khoáng sản của {subject}",
        ("environment", "land"),
    ),
    ("Thanh tra việc thực hiện dự án đầu tư sử dụng đất của {subject}", ("land", "construction")),
    ("Thanh tra việc chấp hành pháp luật về bảo vệ môi trường của {subject}", ("environment",)),
]
# Specialised checks by the department that carries them out; "*" for any other department.
CHECK_THEMES: dict[str, list[Theme]] = {
    "SYT": [
        ("Kiểm tra chuyên ngành về an toàn thực phẩm đối với {subject}", ("food_safety",)),
        ("Kiểm tra hoạt động kinh doanh dược, mỹ phẩm của {subject}", ("health",)),
    ],
    "CCATVSTP": [
        ("Kiểm tra chuyên ngành về an toàn thực phẩm đối với {subject}", ("food_safety",)),
    ],
    "SXD": [
        (
            "Kiểm tra việc chấp hành pháp luật về xây dựng, trật tự xây dựng của {subject}",
            ("construction",),
        ),
        ("Kiểm tra công tác nghiệm thu, thanh toán công trình của {subject}", ("construction",)),
    ],
    "SNNMT": [
        ("Kiểm tra việc chấp hành pháp luật về bảo vệ môi trường của {subject}", ("environment",)),
        ("Kiểm tra việc sử dụng đất được Nhà nước cho thuê của {subject}", ("land",)),
    ],
    "SCT": [
        ("Kiểm tra hoạt động kinh doanh xăng dầu, khí dầu mỏ hóa lỏng của {subject}", ("trade",)),
    ],
    "QLTT": [
        (
            "Kiểm tra việc chấp hành pháp luật trong hoạt động thương mại của {subject}",
            ("trade", "food_safety"),
        )
    ],
    "SNV": [
        (
            "Kiểm tra việc chấp hành pháp luật về lao động, bảo hiểm xã hội của {subject}",
            ("labour",),
        )
    ],
    "STC": [("Kiểm tra việc chấp hành quy định về giá, phí, lệ phí của {subject}", ("trade",))],
    "*": [
        (
            "Kiểm tra việc chấp hành pháp luật chuyên ngành của {subject}",
            ("trade", "labour", "environment"),
        )
    ],
}
SCOPES = [
    "Việc chấp hành chính sách, pháp luật và nhiệm vụ, quyền hạn được giao",
    "Việc quản lý, sử dụng đất được Nhà nước giao, cho thuê; việc thực hiện nghĩa vụ tài chính",
    "Công tác lập, thẩm định, phê duyệt, thực hiện và quyết toán dự án đầu tư",
    "Việc thu, chi ngân sách; quản lý, sử dụng tài sản công",
    "Điều kiện kinh doanh, nguồn gốc hàng hóa, niêm yết giá",
]

# Findings by category: (description, legal basis, has money, has land).
FINDING_CATEGORIES: dict[str, list[tuple[str, str, bool, bool]]] = {
    "land": [
        (
            "Giao đất, cho thuê đất không đúng thẩm quyền",
            "Luật Đất đai số 31/2024/QH15",
            True,
            True,
        ),
        (
            "Sử dụng đất không đúng mục đích được giao, cho thuê",
            "Nghị định số 123/2024/NĐ-CP về xử phạt vi phạm hành chính trong lĩnh vực đất đai",
            True,
            True,
        ),
        (
            "Chậm đưa đất vào sử dụng so với tiến độ ghi trong dự án đầu tư",
            "Luật Đất đai số 45/2013/QH13",
            False,
            True,
        ),
        ("Lấn, chiếm đất công do xã quản lý", "Luật Đất đai số 45/2013/QH13", False, True),
        (
            "Xác định giá đất, thu tiền sử dụng đất thấp hơn quy định",
            "Quyết định số 06/2024/QĐ-UBND của UBND tỉnh ban hành bảng giá đất",
            True,
            False,
        ),
    ],
    "finance": [
        (
            "Chi sai chế độ, định mức công tác phí, hội nghị",
            "Luật Ngân sách nhà nước số 83/2015/QH13",
            True,
            False,
        ),
        (
            "Thanh toán khống tiền làm thêm giờ, bồi dưỡng",
            "Luật Ngân sách nhà nước số 83/2015/QH13",
            True,
            False,
        ),
        (
            "Sử dụng kinh phí không đúng mục đích được giao",
            "Nghị định số 163/2016/NĐ-CP quy định chi tiết Luật Ngân sách nhà nước",
            True,
            False,
        ),
        (
            "Thu các khoản ngoài quy định của người học",
            "Nghị định số 81/2021/NĐ-CP về học phí",
            True,
            False,
        ),
    ],
    "construction": [
        (
            "Nghiệm thu, thanh toán sai khối lượng thực tế thi công",
            "Nghị định số 10/2021/NĐ-CP về quản lý chi phí đầu tư xây dựng",
            True,
            False,
        ),
        (
            "Áp dụng sai đơn giá, định mức trong dự toán",
            "Luật Xây dựng số 50/2014/QH13",
            True,
            False,
        ),
        (
            "Chậm lập hồ sơ quyết toán dự án hoàn thành",
            "Luật Đầu tư công số 58/2024/QH15",
            False,
            False,
        ),
        (
            "Tổ chức lựa chọn nhà thầu không đúng quy định",
            "Luật Đấu thầu số 22/2023/QH15",
            True,
            False,
        ),
    ],
    "anti_corruption": [
        (
            "Chưa thực hiện kê khai tài sản, thu nhập lần đầu, hằng năm theo quy định",
            "Luật Phòng, chống tham nhũng số 36/2018/QH14",
            False,
            False,
        ),
        (
            "Chưa thực hiện chuyển đổi vị trí công tác theo định kỳ",
            "Nghị định số 59/2019/NĐ-CP",
            False,
            False,
        ),
        (
            "Giải quyết khiếu nại quá thời hạn quy định",
            "Luật Khiếu nại số 02/2011/QH13",
            False,
            False,
        ),
    ],
    "food_safety": [
        (
            "Kinh doanh thực phẩm không rõ nguồn gốc, xuất xứ",
            "Nghị định số 115/2018/NĐ-CP về xử phạt vi phạm hành chính về an toàn thực phẩm",
            True,
            False,
        ),
        (
            "Không có Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            "Luật An toàn thực phẩm số 55/2010/QH12",
            True,
            False,
        ),
    ],
    "health": [
        (
            "Kinh doanh thuốc không có chứng chỉ hành nghề dược",
            "Nghị định số 117/2020/NĐ-CP về xử phạt vi phạm hành chính trong lĩnh vực y tế",
            True,
            False,
        ),
        (
            "Thanh toán chi phí khám chữa bệnh bảo hiểm y tế sai quy định",
            "Luật Bảo hiểm y tế số 25/2008/QH12",
            True,
            False,
        ),
    ],
    "environment": [
        (
            "Xả nước thải vượt quy chuẩn kỹ thuật cho phép",
            "Nghị định số 45/2022/NĐ-CP về xử phạt vi phạm hành chính về bảo vệ môi trường",
            True,
            False,
        ),
        (
            "Không có giấy phép môi trường theo quy định",
            "Luật Bảo vệ môi trường số 72/2020/QH14",
            True,
            False,
        ),
        (
            "Khai thác khoáng sản vượt ranh giới, công suất được cấp phép",
            "Nghị định số 36/2020/NĐ-CP về xử phạt vi phạm hành chính về tài nguyên nước và "
            "khoáng sản",
            True,
            True,
        ),
    ],
    "trade": [
        (
            "Kinh doanh hàng hóa nhập lậu, không có hóa đơn chứng từ",
            "Nghị định số 98/2020/NĐ-CP về xử phạt vi phạm hành chính trong hoạt động thương mại",
            True,
            False,
        ),
        (
            "Không niêm yết giá hoặc bán cao hơn giá niêm yết",
            "Luật Giá số 16/2023/QH15",
            True,
            False,
        ),
    ],
    "labour": [
        (
            "Chậm đóng, không đóng bảo hiểm xã hội bắt buộc cho người lao động",
            "Nghị định số 12/2022/NĐ-CP về xử phạt vi phạm hành chính trong lĩnh vực lao động",
            True,
            False,
        ),
    ],
}
FINDING_CATEGORY_NAMES = list(FINDING_CATEGORIES)

MEASURE_DESCRIPTIONS: dict[str, list[str]] = {
    "recover_money": [
        "Thu hồi nộp ngân sách nhà nước số tiền chi sai chế độ",
        "Thu hồi số tiền thanh toán sai khối lượng về tài khoản tạm giữ",
        "Thu hồi tiền sử dụng đất còn thiếu nộp ngân sách nhà nước",
    ],
    "other_financial": [
        "Giảm trừ giá trị quyết toán dự án hoàn thành",
        "Điều chỉnh giảm giá trị hợp đồng chưa thanh toán",
        "Hạch toán, quản lý bổ sung nguồn kinh phí theo quy định",
    ],
    "recover_land": [
        "Thu hồi diện tích đất sử dụng sai mục đích",
        "Thu hồi diện tích đất lấn chiếm, trả lại hiện trạng ban đầu",
        "Thu hồi diện tích đất chậm đưa vào sử dụng",
    ],
    "admin_fine": ["Xử phạt vi phạm hành chính theo quyết định xử phạt"],
    "confiscation": [
        "Tịch thu tang vật vi phạm hành chính",
        "Tịch thu khoáng sản khai thác trái phép",
    ],
    "discipline": [
        "Tổ chức kiểm điểm trách nhiệm các tập thể, cá nhân có liên quan",
        "Xem xét xử lý kỷ luật cán bộ, công chức có sai phạm",
    ],
    "criminal_referral": [
        "Chuyển hồ sơ vụ việc có dấu hiệu tội phạm sang Cơ quan Cảnh sát điều tra Công an tỉnh"
    ],
    "policy": [
        "Kiến nghị sửa đổi, bổ sung quy định của UBND tỉnh về quản lý đất công",
        "Kiến nghị hoàn thiện quy trình thẩm định giá đất",
        "Chấn chỉnh công tác quản lý tài chính, kế toán",
    ],
}

# Ad-hoc cases: how they came in, and the reference recorded for each origin.
ORIGIN_SOURCES = [
    "hotline",
    "feedback_box",
    "complaint",
    "denunciation",
    "directive",
    "signs",
    "other",
]
ORIGIN_SOURCE_WEIGHTS = [10, 5, 20, 20, 30, 12, 3]
ORIGIN_REFS: dict[str, str] = {
    "hotline": "Phản ánh qua đường dây nóng ngày {d}",
    "feedback_box": "Phản ánh qua hòm thư góp ý ngày {d}",
    "complaint": "Đơn khiếu nại của công dân ngày {d}",
    "denunciation": "Đơn tố cáo của công dân ngày {d}",
    "directive": "Văn bản số {n}/UBND-NC ngày {d} của Chủ tịch UBND tỉnh",
    "signs": "Dấu hiệu vi phạm phát hiện qua công tác quản lý nhà nước",
    "other": "Đề nghị của cơ quan chức năng ngày {d}",
}

CANCEL_REASONS = [
    "Nội dung trùng với kế hoạch kiểm toán của Kiểm toán nhà nước",
    "Đối tượng thanh tra đã giải thể",
    "Theo chỉ đạo của Chủ tịch UBND tỉnh",
]
SUSPENSION_REASONS = [
    "Chờ kết quả giám định chất lượng công trình",
    "Đối tượng thanh tra có lý do chính đáng (thiên tai)",
    "Chờ ý kiến của cơ quan có thẩm quyền về chính sách áp dụng",
]
EXTENSION_NOTES = [
    "Nội dung thanh tra phức tạp, cần xác minh bổ sung",
    "Phải chờ kết quả đo đạc hiện trạng sử dụng đất",
]


def origin_ref(rng: random.Random, source: str, received_on: date) -> str:
    """The reference recorded for an ad-hoc case's origin."""
    return ORIGIN_REFS[source].format(d=f"{received_on:%d/%m/%Y}", n=rng.randint(100, 3999))


# --------------------------------------------------------------------------- document numbers


def document_number(number: int, kind: str, issuer: str) -> str:
    """An official document number: "15/QĐ-TTr", "12/KL-TTr", "3/BC-ĐTT".

    Numbers are text: "TTr" means both "Tờ trình" and "Thanh tra", so nothing is ever parsed
    back out of them (see PRODUCT.md).
    """
    return f"{number}/{kind}-{issuer}"


# Reasons of the changes the demo's lead asks a second person to approve (seed/demo.py).
WRITE_OFF_REQUEST = (
    "Doanh nghiệp đã giải thể theo Quyết định của Sở Kế hoạch và Đầu tư, không còn tài sản "
    "để thu hồi; đề nghị dừng theo dõi."
)
CORRECTION_REQUEST = (
    "Kết luận đã được đính chính: số tiền phải thu hồi giảm 10% theo Văn bản đính chính "
    "của Chánh Thanh tra tỉnh."
)
