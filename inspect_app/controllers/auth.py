"""Signing in and out (pages and API), the account page, language and API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from inspect_app.controllers.page_support import local_path
from inspect_app.db import write_transaction
from inspect_app.errors import AppError, InvalidInput, Throttled
from inspect_app.exceptions import request_language
from inspect_app.i18n import LANGUAGES, translate
from inspect_app.middleware import SESSION_USER_KEY
from inspect_app.pages import flash, render
from inspect_app.principal import Principal
from inspect_app.schemas.auth import (
    LoginRequest,
    LoginResponse,
    Me,
    TokenCreate,
    TokenCreated,
    TokenList,
)
from inspect_app.services import auth, users
from inspect_app.sessions import SESSION_COOKIE, rotate_session_id
from models.tables import AppUser

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _me(principal: Principal) -> Me:
    return Me(
        id=principal.id,
        username=principal.username,
        full_name=principal.full_name,
        role=principal.role,
        agency_id=principal.agency_id,
        language=principal.language,
    )


async def _start_session(request: Request[Any, Any, Any], principal: Principal) -> None:
    # A fresh session id at sign-in: an id planted before sign-in never becomes a login.
    old_id = request.cookies.get(SESSION_COOKIE)
    if old_id:
        await request.app.stores.get("sessions").delete(old_id)
    rotate_session_id(request.scope)
    request.set_session({SESSION_USER_KEY: principal.id})


def _safe_next(url: str | None) -> str:
    # Only local paths: never redirect a fresh login to another site.
    return local_path(url)


class AuthApiController(Controller):
    """JSON sign-in, the current user and API tokens."""

    path = "/api"
    tags = ["auth"]

    @post("/auth/login", opt={"public": True, "exclude_from_csrf": True}, status_code=200)
    async def login(
        self, request: Request[Any, Any, Any], data: LoginRequest, ip: str
    ) -> LoginResponse:
        """Sign in with username and password; sets the session cookie."""
        try:
            principal = await auth.authenticate(data.username, data.password, ip)
        except auth.LoginFailed as exc:
            raise AuthFailed() from exc
        await _start_session(request, principal)
        return LoginResponse(user=_me(principal))

    @post("/auth/logout", opt={"permission": "self"}, status_code=HTTP_204_NO_CONTENT)
    async def logout(self, request: Request[Any, Any, Any]) -> None:
        """End the session."""
        request.clear_session()

    @get("/me", opt={"permission": "self"})
    async def me(self, principal: Principal) -> Me:
        """The signed-in user."""
        return _me(principal)

    @get("/tokens", opt={"permission": "self"})
    async def list_tokens(self, principal: Principal) -> TokenList:
        """The caller's API tokens."""
        return TokenList(items=await auth.list_tokens(principal))

    @post("/tokens", opt={"permission": "self"}, status_code=HTTP_201_CREATED)
    async def create_token(self, principal: Principal, data: TokenCreate, ip: str) -> TokenCreated:
        """Create an API token; its text is shown once."""
        return await auth.create_token(principal, data.name, ip)

    @delete("/tokens/{token_id:int}", opt={"permission": "self"}, status_code=HTTP_204_NO_CONTENT)
    async def revoke_token(self, principal: Principal, token_id: int, ip: str) -> None:
        """Revoke an API token at once."""
        await auth.revoke_token(principal, token_id, ip)


class AuthFailed(AppError):
    """Wrong credentials (401)."""

    status_code = 401

    def __init__(self) -> None:
        super().__init__("Wrong username or password.")


class AuthPageController(Controller):
    """Sign-in page, sign-out, language switch and the account page."""

    include_in_schema = False

    @get("/login", opt={"public": True})
    async def login_form(
        self, request: Request[Any, Any, Any], next: str | None = None
    ) -> Template:
        """The sign-in form."""
        return await render(request, "auth/login.html", next_url=_safe_next(next), username="")

    @post("/login", opt={"public": True}, status_code=200)
    async def login_submit(
        self, request: Request[Any, Any, Any], data: FormData, ip: str
    ) -> Response[Any] | Template:
        """Check the credentials; on failure the form comes back with the username kept."""
        username = data.get("username", "")
        next_url = _safe_next(data.get("next"))
        lang = request_language(request)
        try:
            principal = await auth.authenticate(username, data.get("password", ""), ip)
        except auth.LoginFailed:
            return await render(
                request,
                "auth/login.html",
                status_code=401,
                next_url=next_url,
                username=username,
                error=translate("Wrong username or password.", lang),
            )
        except Throttled as exc:
            page = await render(
                request,
                "auth/login.html",
                status_code=429,
                next_url=next_url,
                username=username,
                error=translate(exc.message, lang, **exc.values),
            )
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        await _start_session(request, principal)
        return Redirect(path=next_url)

    @post("/logout", opt={"permission": "self"})
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session and go back to the sign-in page."""
        request.clear_session()
        return Redirect(path="/login")

    @get("/lang/{code:str}", opt={"public": True})
    async def set_language(self, request: Request[Any, Any, Any], code: str) -> Redirect:
        """Switch the interface language (remembered in a cookie and the user's profile)."""
        if code not in LANGUAGES:
            code = "vi"
        principal = request.scope.get("user")
        if isinstance(principal, Principal):
            # A write transaction: the principal kept per process is read again.
            async with write_transaction():
                await AppUser.update({AppUser.language: code}).where(AppUser.id == principal.id)
        referer = request.headers.get("referer", "/")
        target = "/" + referer.split("/", 3)[3] if referer.count("/") >= 3 else "/"
        response = Redirect(path=_safe_next(target))
        response.set_cookie("lang", code, max_age=365 * 86400, httponly=True, samesite="lax")
        return response

    @get("/account", opt={"permission": "self"})
    async def account(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        """Profile, password change and API tokens."""
        tokens = await auth.list_tokens(principal)
        return await render(
            request,
            "auth/account.html",
            tokens=tokens,
            errors={},
            new_token=None,
            digest_email=await users.digest_email_on(principal),
        )

    @post("/account/digest", opt={"permission": "self"}, status_code=200)
    async def set_digest(
        self, request: Request[Any, Any, Any], principal: Principal, data: FormData, ip: str
    ) -> Redirect:
        """Receive the daily digest by e-mail, or not (the in-app digest always comes)."""
        on = str(data.get("digest_email", "")).lower() in ("1", "true", "on", "yes")
        await users.set_digest_email(principal, on, ip)
        message = "The digest will come by e-mail too." if on else "The digest by e-mail is muted."
        flash(request, translate(message, request_language(request)))
        return Redirect(path="/account")

    @post("/account/password", opt={"permission": "self"}, status_code=200)
    async def change_password(
        self, request: Request[Any, Any, Any], principal: Principal, data: FormData, ip: str
    ) -> Response[Any] | Template:
        """Change one's password; mistakes come back beside their fields."""
        if data.get("new_password", "") != data.get("confirm_password", ""):
            errors = {"confirm_password": "The two new passwords differ."}
        else:
            try:
                await auth.change_password(
                    principal, data.get("current_password", ""), data.get("new_password", ""), ip
                )
            except InvalidInput as exc:
                errors = exc.errors
            else:
                flash(request, translate("Your password was changed.", request_language(request)))
                return Redirect(path="/account")
        tokens = await auth.list_tokens(principal)
        return await render(
            request,
            "auth/account.html",
            digest_email=await users.digest_email_on(principal),
            status_code=422,
            tokens=tokens,
            errors=errors,
            new_token=None,
        )

    @post("/account/tokens", opt={"permission": "self"}, status_code=200)
    async def create_token(
        self, request: Request[Any, Any, Any], principal: Principal, data: FormData, ip: str
    ) -> Template:
        """Create a token and show its text once."""
        errors: dict[str, str] = {}
        new_token = None
        try:
            new_token = await auth.create_token(principal, data.get("name", ""), ip)
        except InvalidInput as exc:
            errors = exc.errors
        tokens = await auth.list_tokens(principal)
        return await render(
            request,
            "auth/account.html",
            digest_email=await users.digest_email_on(principal),
            status_code=422 if errors else 200,
            tokens=tokens,
            errors=errors,
            new_token=new_token,
            token_name=data.get("name", ""),
        )

    @post("/account/tokens/{token_id:int}/revoke", opt={"permission": "self"})
    async def revoke_token(
        self, request: Request[Any, Any, Any], principal: Principal, token_id: int, ip: str
    ) -> Redirect:
        """Revoke a token."""
        await auth.revoke_token(principal, token_id, ip)
        flash(request, translate("The token was revoked.", request_language(request)))
        return Redirect(path="/account")
