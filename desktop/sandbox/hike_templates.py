"""HTML for the Hike emulator's OAuth sign-in and consent pages.

Self-contained (inline CSS, no scripts, no external fonts or images) so the page renders in any browser with no
network. The "Hike" wordmark is text styled with CSS; no Hike artwork is copied. The forms are plain HTML POSTs,
so a test can complete the flow with an HTTP client and no JavaScript.
"""
from __future__ import annotations

from html import escape

_CSS = """
*{box-sizing:border-box}
html,body{margin:0;padding:0}
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  background:#f3f5f9;color:#1c2434;min-height:100vh;display:flex;flex-direction:column;align-items:center}
.top{width:100%;background:#ffffff;border-bottom:1px solid #e3e7ef;display:flex;align-items:center;
  justify-content:space-between;padding:14px 28px}
.wordmark{font-weight:800;font-size:30px;letter-spacing:-1.5px;color:#1c2434;text-decoration:none;line-height:1}
.wordmark .dot{color:#2f7cf6}
.sandbox{font-size:12px;font-weight:600;color:#8a5a00;background:#fff4d6;border:1px solid #f2d48a;
  border-radius:999px;padding:4px 10px}
main{width:100%;max-width:440px;padding:36px 16px 24px}
.card{background:#ffffff;border:1px solid #e3e7ef;border-radius:14px;box-shadow:0 6px 24px rgba(28,36,52,.08);
  padding:30px 32px}
h1{font-size:22px;margin:0 0 6px;font-weight:700}
p.lead{margin:0 0 22px;color:#5b667a;font-size:14px;line-height:1.45}
label{display:block;font-size:13px;font-weight:600;margin:0 0 6px;color:#344054}
input[type=text],input[type=email],input[type=password]{width:100%;font-size:15px;padding:11px 12px;
  border:1px solid #cfd6e3;border-radius:8px;background:#fff;color:#1c2434;margin:0 0 16px}
input:focus{outline:none;border-color:#2f7cf6;box-shadow:0 0 0 3px rgba(47,124,246,.18)}
.btn{display:inline-block;width:100%;font-size:15px;font-weight:600;padding:12px 14px;border-radius:8px;
  border:1px solid transparent;cursor:pointer;text-align:center}
.btn-primary{background:#2f7cf6;color:#fff}
.btn-primary:hover{background:#1f68dc}
.btn-secondary{background:#fff;color:#344054;border-color:#cfd6e3}
.btn-secondary:hover{background:#f6f8fb}
.row{display:flex;gap:12px;margin-top:8px}
.row form{flex:1;margin:0}
.error{background:#fdecec;border:1px solid #f5b5b5;color:#a4262c;border-radius:8px;padding:10px 12px;
  font-size:14px;margin:0 0 18px}
.app{display:flex;align-items:center;gap:12px;background:#f6f8fb;border:1px solid #e3e7ef;border-radius:10px;
  padding:12px 14px;margin:0 0 20px}
.app .icon{flex:none;width:38px;height:38px;border-radius:9px;background:#1c2434;color:#fff;display:flex;
  align-items:center;justify-content:center;font-weight:700;font-size:20px}
.app .name{font-weight:600;font-size:15px}
.app .sub{font-size:12px;color:#5b667a}
ul.scopes{list-style:none;padding:0;margin:0 0 22px}
ul.scopes li{padding:9px 0 9px 28px;border-bottom:1px solid #eef1f6;font-size:14px;position:relative}
ul.scopes li:before{content:"";position:absolute;left:4px;top:13px;width:10px;height:6px;
  border-left:2px solid #1f9d55;border-bottom:2px solid #1f9d55;transform:rotate(-45deg)}
.who{font-size:13px;color:#5b667a;margin:0 0 18px}
.who b{color:#1c2434}
.foot{font-size:12px;color:#8792a6;text-align:center;margin-top:18px;line-height:1.5}
.foot code{font-size:11px}
"""


def _page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header class="top">
  <span class="wordmark" aria-label="Hike">hike<span class="dot">.</span></span>
  <span class="sandbox" title="A local emulator of Hike, not the real service">Sandbox</span>
</header>
<main>
{body}
<p class="foot">Local Hike sandbox for development and tests.<br>No data leaves this computer.</p>
</main>
</body>
</html>"""


def _hidden(fields: dict[str, str]) -> str:
    return "\n".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v or "")}">'
                     for k, v in fields.items())


def _app_box(app_name: str, store_name: str) -> str:
    return (f'<div class="app"><div class="icon" aria-hidden="true">&#8644;</div><div>'
            f'<div class="name">{escape(app_name)}</div>'
            f'<div class="sub">wants to connect to <b>{escape(store_name)}</b></div></div></div>')


def signin_page(*, app_name: str, store_name: str, oauth_params: dict[str, str], username: str = "",
                error: str | None = None) -> str:
    err = f'<div class="error" role="alert">{escape(error)}</div>' if error else ""
    body = f"""<div class="card">
<h1>Sign in to your store</h1>
<p class="lead">Sign in with your Hike store account to continue.</p>
{_app_box(app_name, store_name)}
{err}
<form method="post" action="/oauth/authorize" autocomplete="on">
{_hidden(oauth_params)}
<label for="username">Email or username</label>
<input type="text" id="username" name="username" value="{escape(username)}" autocomplete="username" required{
    "" if username else " autofocus"}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required{
    " autofocus" if username else ""}>
<button class="btn btn-primary" type="submit">Sign in</button>
</form>
</div>"""
    return _page("Sign in - Hike", body)


def consent_page(*, app_name: str, store_name: str, username: str, ticket: str) -> str:
    scopes = ["Products, variants and inventory", "Customers", "Sales, payments and registers",
              "Outlets, taxes and payment types"]
    items = "".join(f"<li>{escape(s)}</li>" for s in scopes)
    body = f"""<div class="card">
<h1>Allow access?</h1>
<p class="who">Signed in as <b>{escape(username)}</b> to <b>{escape(store_name)}</b></p>
{_app_box(app_name, store_name)}
<p class="lead"><b>{escape(app_name)}</b> will be able to read and change this data in your store:</p>
<ul class="scopes">{items}</ul>
<div class="row">
<form method="post" action="/oauth/authorize">{_hidden({"ticket": ticket, "decision": "deny"})}
<button class="btn btn-secondary" type="submit">Deny</button></form>
<form method="post" action="/oauth/authorize">{_hidden({"ticket": ticket, "decision": "allow"})}
<button class="btn btn-primary" type="submit">Allow access</button></form>
</div>
</div>"""
    return _page(f"Allow {app_name} - Hike", body)


def error_page(title: str, message: str) -> str:
    body = f"""<div class="card">
<h1>{escape(title)}</h1>
<div class="error" role="alert">{escape(message)}</div>
<p class="lead">Close this window and try connecting again from the app.</p>
</div>"""
    return _page(f"{title} - Hike", body)
