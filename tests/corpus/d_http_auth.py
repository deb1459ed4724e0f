"""HTTP authentication helpers: `HTTPBasic` (with and without realm,
auto_error False; good, bad, missing and malformed credentials, odd scheme
case, non-UTF-8 and colon-less payloads), `HTTPBearer` (missing, wrong scheme,
empty credentials, auto_error False), `HTTPDigest`, and
`OAuth2PasswordBearer` with auto_error False; constant-time password checks
raising 401 with `WWW-Authenticate`, and header values with unusual spacing."""

import secrets
from typing import Annotated, Optional

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import (HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer,
                              HTTPDigest, OAuth2PasswordBearer)

from tests.differential import Case

app = FastAPI()

basic = HTTPBasic()
basic_realm = HTTPBasic(realm="Shop admin")
basic_opt = HTTPBasic(auto_error=False)
bearer = HTTPBearer(bearerFormat="JWT")
bearer_opt = HTTPBearer(auto_error=False)
digest = HTTPDigest()
oauth_opt = OAuth2PasswordBearer(tokenUrl="/token", auto_error=False)


def check_admin(credentials: Annotated[HTTPBasicCredentials, Depends(basic_realm)]) -> str:
    good_user = secrets.compare_digest(credentials.username.encode("utf8"), b"stanley")
    good_pass = secrets.compare_digest(credentials.password.encode("utf8"), b"swordfish")
    if not (good_user and good_pass):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Incorrect username or password",
                            headers={"WWW-Authenticate": 'Basic realm="Shop admin"'})
    return credentials.username


@app.get("/basic")
def read_basic(credentials: Annotated[HTTPBasicCredentials, Depends(basic)]):
    return {"username": credentials.username, "password": credentials.password}


@app.get("/admin")
async def admin(user: Annotated[str, Depends(check_admin)]):
    return {"admin": user}


@app.get("/maybe-basic")
def maybe_basic(credentials: Annotated[Optional[HTTPBasicCredentials], Depends(basic_opt)]):
    if credentials is None:
        return {"anonymous": True}
    return {"anonymous": False, "username": credentials.username}


@app.get("/bearer")
async def read_bearer(creds: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]):
    return {"scheme": creds.scheme, "credentials": creds.credentials}


@app.get("/maybe-bearer")
def maybe_bearer(creds: Optional[HTTPAuthorizationCredentials] = Depends(bearer_opt)):
    return {"creds": creds}


@app.get("/digest")
def read_digest(creds: Annotated[HTTPAuthorizationCredentials, Depends(digest)]):
    return {"scheme": creds.scheme, "credentials": creds.credentials}


@app.get("/maybe-oauth")
async def maybe_oauth(token: Annotated[Optional[str], Depends(oauth_opt)]):
    return {"token": token}


def b(s: str) -> dict:
    return {"authorization": s}


CASES = [
    Case("GET", "/basic"),
    Case("GET", "/basic", b("Basic c3RhbmxleTpzd29yZGZpc2g=")),
    Case("GET", "/basic", b("Basic dXNlcjpwYTpzczp3b3Jk")),
    Case("GET", "/basic", b("Basic Og==")),
    Case("GET", "/basic", b("Basic bm9jb2xvbg==")),
    Case("GET", "/basic", b("Basic not-base64!")),
    Case("GET", "/basic", b("Basic /w==")),
    Case("GET", "/basic", b("Basic")),
    Case("GET", "/basic", b("basic c3RhbmxleTpzd29yZGZpc2g=")),
    Case("GET", "/basic", b("Bearer c3RhbmxleTpzd29yZGZpc2g=")),
    Case("GET", "/basic", b("Basic  c3RhbmxleTpzd29yZGZpc2g=")),
    Case("GET", "/admin"),
    Case("GET", "/admin", b("Basic c3RhbmxleTpzd29yZGZpc2g=")),
    Case("GET", "/admin", b("Basic c3RhbmxleTpndWVzcw==")),
    Case("GET", "/admin", b("Basic ???")),
    Case("GET", "/maybe-basic"),
    Case("GET", "/maybe-basic", b("Basic ???")),
    Case("GET", "/maybe-basic", b("Token abc")),
    Case("GET", "/maybe-basic", b("Basic dTpw")),
    Case("GET", "/bearer"),
    Case("GET", "/bearer", b("Bearer abc.def.ghi")),
    Case("GET", "/bearer", b("bearer lower")),
    Case("GET", "/bearer", b("Basic abc")),
    Case("GET", "/bearer", b("Bearer")),
    Case("GET", "/bearer", b("Bearer a b c")),
    Case("GET", "/bearer", b("JustAToken")),
    Case("GET", "/maybe-bearer"),
    Case("GET", "/maybe-bearer", b("Basic abc")),
    Case("GET", "/maybe-bearer", b("Bearer t")),
    Case("GET", "/digest"),
    Case("GET", "/digest", b('Digest username="u", realm="r"')),
    Case("GET", "/digest", b("Bearer t")),
    Case("GET", "/maybe-oauth"),
    Case("GET", "/maybe-oauth", b("Bearer tok")),
    Case("GET", "/maybe-oauth", b("Basic dTpw")),
    Case("GET", "/maybe-oauth", b("Bearer\tspaced")),
]
