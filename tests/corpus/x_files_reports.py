"""A files/reports API: Form fields with UploadFile (single, optional and a
list), a StreamingResponse of CSV rows from a generator, PlainTextResponse
and HTMLResponse routes, a RedirectResponse (303) after a form POST, a
FileResponse of a small file written beside the app at import time, and
background tasks recording audit events that a later case reads back."""

import csv
import io
from pathlib import Path
from typing import Annotated, Optional

from fastapi import BackgroundTasks, FastAPI, File, Form, HTTPException, Query, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI(title="Reports")

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "x_files_reports_template.txt"  # a file of the corpus, served by FileResponse

SALES = [
    {"region": "north", "quarter": "Q1", "amount": 120},
    {"region": "south", "quarter": "Q1", "amount": 80},
    {"region": "north", "quarter": "Q2", "amount": 150},
    {"region": "east", "quarter": "Q2", "amount": 60},
]
UPLOADS: dict[str, dict] = {}
AUDIT: list[str] = []


def audit(event: str) -> None:
    AUDIT.append(event)


async def audit_async(event: str, size: int = 0) -> None:
    AUDIT.append(f"{event} ({size} bytes)")


class UploadInfo(BaseModel):
    name: str
    filename: Optional[str]
    content_type: Optional[str]
    size: int
    lines: int


@app.post("/reset", status_code=204)
def reset():
    UPLOADS.clear()
    AUDIT.clear()


@app.post("/uploads", response_model=UploadInfo, status_code=201)
async def upload(background: BackgroundTasks, name: Annotated[str, Form(min_length=2)],
                 file: Annotated[UploadFile, File(description="a text file")]):
    data = await file.read()
    if name in UPLOADS:
        raise HTTPException(409, f"upload {name} exists")
    info = {"name": name, "filename": file.filename, "content_type": file.content_type, "size": len(data),
            "lines": data.count(b"\n")}
    UPLOADS[name] = info
    background.add_task(audit_async, f"upload {name}", size=len(data))
    return info


@app.post("/uploads/batch")
def upload_batch(files: list[UploadFile], tag: str = Form("none"), note: Optional[bytes] = File(None)):
    return {"tag": tag, "files": [f.filename for f in files], "note": note.decode() if note else None}


@app.get("/uploads")
def list_uploads():
    return sorted(UPLOADS.values(), key=lambda u: u["name"])


@app.post("/reports")
def create_report(background: BackgroundTasks, title: Annotated[str, Form()],
                  quarter: Annotated[str, Form(pattern=r"^Q[1-4]$")] = "Q1", public: bool = Form(False)):
    background.add_task(audit, f"report {title} {quarter} public={public}")
    return RedirectResponse(url=f"/reports/{quarter}.csv", status_code=303)


def csv_rows(quarter: Optional[str]):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["region", "quarter", "amount"])
    yield buf.getvalue()
    for row in SALES:
        if quarter and row["quarter"] != quarter:
            continue
        buf.seek(0)
        buf.truncate()
        writer.writerow([row["region"], row["quarter"], row["amount"]])
        yield buf.getvalue()


@app.get("/reports/{quarter}.csv")
def report_csv(quarter: str):
    if quarter not in ("Q1", "Q2", "Q3", "Q4", "all"):
        raise HTTPException(404, "unknown quarter")
    return StreamingResponse(csv_rows(None if quarter == "all" else quarter), media_type="text/csv",
                             headers={"content-disposition": f'attachment; filename="{quarter}.csv"'})


@app.get("/reports/summary.txt", response_class=PlainTextResponse)
async def summary(min_amount: Annotated[int, Query(ge=0)] = 0):
    lines = [f"{r['region']:<6}{r['quarter']} {r['amount']:>5}" for r in SALES if r["amount"] >= min_amount]
    return "\n".join(lines) + "\n"


@app.get("/reports/dashboard", response_class=HTMLResponse)
def dashboard(title: str = "Sales"):
    rows = "".join(f"<tr><td>{r['region']}</td><td>{r['amount']}</td></tr>" for r in SALES)
    return f"<html><head><title>{title}</title></head><body><table>{rows}</table></body></html>"


@app.get("/template")
async def template(background: BackgroundTasks, download: bool = False):
    background.add_task(audit, "template fetched")
    if download:
        return FileResponse(TEMPLATE, filename="template.txt")
    return FileResponse(TEMPLATE, media_type="text/plain")


@app.get("/audit", response_class=PlainTextResponse)
def read_audit():
    return "\n".join(AUDIT) or "(empty)"


B = "----report7"
MP = {"content-type": f"multipart/form-data; boundary={B}"}


def multipart(*parts: tuple[str, Optional[str], str, bytes]) -> bytes:
    out = b""
    for name, filename, ctype, data in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{B}\r\nContent-Disposition: {disp}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{B}--\r\n".encode()


FORM = {"content-type": "application/x-www-form-urlencoded"}

CASES = [
    Case("POST", "/reset"),
    Case("GET", "/audit"),
    Case("POST", "/uploads", MP, multipart(("name", None, "", b"first"),
                                           ("file", "a.txt", "text/plain", b"one\ntwo\n"))),
    Case("POST", "/uploads", MP, multipart(("name", None, "", b"first"),
                                           ("file", "b.txt", "text/plain", b"dup"))),
    Case("POST", "/uploads", MP, multipart(("name", None, "", b"x"),
                                           ("file", "c.bin", "application/octet-stream", b"\x00\x01"))),
    Case("POST", "/uploads", MP, multipart(("name", None, "", b"nofile"))),
    Case("POST", "/uploads", MP, multipart(("name", None, "", b"notafile"), ("file", None, "", b"plain value"))),
    Case("POST", "/uploads", FORM, b"name=first&file=abc"),
    Case("POST", "/uploads", {"content-type": "application/json"}, b'{"name": "j"}'),
    Case("POST", "/uploads", MP, b"garbage without boundary"),
    Case("POST", "/uploads"),
    Case("GET", "/uploads"),
    Case("POST", "/uploads/batch", MP, multipart(("files", "1.txt", "text/plain", b"1"),
                                                 ("files", "2.txt", "text/plain", b"2"),
                                                 ("tag", None, "", b"pair"), ("note", "n.txt", "", b"hello"))),
    Case("POST", "/uploads/batch", MP, multipart(("tag", None, "", b"empty"))),
    Case("POST", "/reports", FORM, b"title=Growth&quarter=Q2&public=on"),
    Case("POST", "/reports", FORM, b"title=Bad&quarter=Q9"),
    Case("POST", "/reports", FORM, b"quarter=Q1"),
    Case("POST", "/reports", FORM, b"title=Plain"),
    Case("GET", "/reports/Q2.csv"),
    Case("GET", "/reports/all.csv"),
    Case("GET", "/reports/Q7.csv"),
    Case("GET", "/reports/.csv"),
    Case("GET", "/reports/Q1.tar.csv"),
    Case("GET", "/reports/Q%31.csv"),
    Case("GET", "/reports/Q1.csv/"),
    Case("GET", "/reports/Q1.CSV"),
    Case("HEAD", "/reports/Q1.csv"),
    Case("GET", "/uploads?x=1", {"accept": "text/csv"}),
    Case("POST", "/reset", {"content-type": "application/json"}, b'{"all": true}'),
    Case("GET", "/reports/summary.txt"),
    Case("GET", "/reports/summary.txt?min_amount=100"),
    Case("GET", "/reports/summary.txt?min_amount=-5"),
    Case("GET", "/reports/dashboard?title=Q%26A"),
    Case("GET", "/reports/dashboard"),
    Case("GET", "/template"),
    Case("GET", "/template?download=1"),
    Case("GET", "/template?download=nope"),
    Case("HEAD", "/template"),
    Case("GET", "/audit"),
    Case("DELETE", "/reports/Q1.csv"),
    Case("GET", "/openapi.json"),
]
