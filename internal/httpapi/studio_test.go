package httpapi

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/omnivibepro/omnivibe/internal/web"
)

// cookiesOf reads the Set-Cookie headers of an answer.
func cookiesOf(res response) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		out[c.Name] = c
	}
	return out
}

func cookieHeader(cs map[string]*http.Cookie, names ...string) string {
	var parts []string
	for _, n := range names {
		if c := cs[n]; c != nil {
			parts = append(parts, n+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// TestStudioSession checks the studio's cookie sessions: the cookies' flags
// and paths, the cookie credential resolved like a bearer token, the CSRF
// and Origin checks on unsafe methods, refresh (single use) and sign-out.
func TestStudioSession(t *testing.T) {
	h := newHarness(t, Config{})
	reg := h.do(req{method: "POST", path: "/studio/session/register", body: map[string]any{"email": "studio@example.com", "password": "Passw0rd!", "name": "S", "account_name": "Studio"}})
	if reg.status != 201 {
		t.Fatalf("register: %d %s", reg.status, reg.body)
	}
	if bytes.Contains(reg.body, []byte("token")) {
		t.Fatalf("the answer carries a token: %s", reg.body)
	}
	cs := cookiesOf(reg)
	access, refresh, csrf := cs[web.AccessCookie], cs[web.RefreshCookie], cs[web.CSRFCookie]
	if access == nil || refresh == nil || csrf == nil {
		t.Fatalf("cookies: %v", reg.header["Set-Cookie"])
	}
	for _, c := range []*http.Cookie{access, refresh, csrf} {
		if c.SameSite != http.SameSiteStrictMode || c.Secure { // plain HTTP here: not Secure
			t.Errorf("%s: SameSite %v, Secure %v", c.Name, c.SameSite, c.Secure)
		}
	}
	if !access.HttpOnly || access.Path != "/api/" || !refresh.HttpOnly || refresh.Path != "/studio/session" || csrf.HttpOnly {
		t.Errorf("flags: access %+v, refresh %+v, csrf %+v", access, refresh, csrf)
	}
	if reg.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", reg.header.Get("Cache-Control"))
	}
	cookie := cookieHeader(cs, web.AccessCookie, web.CSRFCookie)

	// Reads need only the cookie.
	if me := h.do(req{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"Cookie": cookie}}); me.status != 200 || !strings.Contains(string(me.body), "studio@example.com") {
		t.Fatalf("me with the cookie: %d %s", me.status, me.body)
	}
	client := map[string]any{"name": "Cookie client"}
	for name, hdr := range map[string]map[string]string{
		"no CSRF header":    {"Cookie": cookie},
		"wrong CSRF header": {"Cookie": cookie, web.CSRFHeader: "x" + csrf.Value},
		"header, no cookie": {"Cookie": cookieHeader(cs, web.AccessCookie), web.CSRFHeader: csrf.Value},
		"another origin":    {"Cookie": cookie, web.CSRFHeader: csrf.Value, "Origin": "https://evil.example"},
	} {
		if res := h.do(req{method: "POST", path: "/api/v1/clients", body: client, header: hdr}); res.status != 403 || res.code() != "forbidden" {
			t.Errorf("%s: %d %s, want 403", name, res.status, res.body)
		}
	}
	ok := h.do(req{method: "POST", path: "/api/v1/clients", body: client, header: map[string]string{"Cookie": cookie, web.CSRFHeader: csrf.Value, "Origin": "http://example.com"}})
	if ok.status != 201 {
		t.Fatalf("POST with cookie, CSRF header and our origin: %d %s", ok.status, ok.body)
	}
	// A bearer token wins over the cookie and needs no CSRF header.
	other := h.register("bearer")
	if res := h.do(req{method: "POST", path: "/api/v1/clients", token: other.token, body: client, header: map[string]string{"Cookie": cookie}}); res.status != 201 {
		t.Fatalf("bearer with a stray cookie: %d %s", res.status, res.body)
	}
	// A garbage cookie is refused like a garbage bearer token.
	if res := h.do(req{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"Cookie": web.AccessCookie + "=garbage"}}); res.status != 401 {
		t.Fatalf("garbage cookie: %d", res.status)
	}

	// Refresh: needs the CSRF header; the old refresh token works once.
	refreshCookie := cookieHeader(cs, web.RefreshCookie, web.CSRFCookie)
	if res := h.do(req{method: "POST", path: "/studio/session/refresh", header: map[string]string{"Cookie": refreshCookie}}); res.status != 403 {
		t.Fatalf("refresh without CSRF: %d", res.status)
	}
	ref := h.do(req{method: "POST", path: "/studio/session/refresh", header: map[string]string{"Cookie": refreshCookie, web.CSRFHeader: csrf.Value}})
	if ref.status != 200 || cookiesOf(ref)[web.AccessCookie] == nil {
		t.Fatalf("refresh: %d %s", ref.status, ref.body)
	}
	again := h.do(req{method: "POST", path: "/studio/session/refresh", header: map[string]string{"Cookie": refreshCookie, web.CSRFHeader: csrf.Value}})
	if again.status != 401 || cookiesOf(again)[web.RefreshCookie].MaxAge >= 0 {
		t.Fatalf("refresh replayed: %d %v", again.status, again.header["Set-Cookie"])
	}

	// Sign-in: bad credentials are 401 like /auth/login; another origin 403.
	if res := h.do(req{method: "POST", path: "/studio/session", body: map[string]any{"email": "studio@example.com", "password": "Wrong0pass"}}); res.status != 401 {
		t.Fatalf("bad password: %d", res.status)
	}
	if res := h.do(req{method: "POST", path: "/studio/session", body: map[string]any{"email": "studio@example.com", "password": "Passw0rd!"}, header: map[string]string{"Origin": "https://evil.example"}}); res.status != 403 {
		t.Fatalf("sign-in from another origin: %d", res.status)
	}
	in := h.do(req{method: "POST", path: "/studio/session", body: map[string]any{"email": "studio@example.com", "password": "Passw0rd!"}})
	if in.status != 200 || cookiesOf(in)[web.AccessCookie] == nil {
		t.Fatalf("sign-in: %d %s", in.status, in.body)
	}
	inCookies := cookiesOf(in)
	out := h.do(req{method: "DELETE", path: "/studio/session", header: map[string]string{
		"Cookie": cookieHeader(inCookies, web.RefreshCookie, web.CSRFCookie), web.CSRFHeader: inCookies[web.CSRFCookie].Value}})
	if out.status != 204 {
		t.Fatalf("sign-out: %d %s", out.status, out.body)
	}
	// The signed-out login's refresh token is dead on the server, not only
	// cleared from this browser.
	if res := h.do(req{method: "POST", path: "/studio/session/refresh", header: map[string]string{
		"Cookie": cookieHeader(inCookies, web.RefreshCookie, web.CSRFCookie), web.CSRFHeader: inCookies[web.CSRFCookie].Value}}); res.status != 401 {
		t.Fatalf("refresh after sign-out: %d %s, want 401", res.status, res.body)
	}
	// Signing out with no session, or a garbage one, still just clears.
	for _, cookie := range []string{"", web.RefreshCookie + "=garbage"} {
		if res := h.do(req{method: "DELETE", path: "/studio/session", header: map[string]string{"Cookie": cookie}}); res.status != 204 {
			t.Errorf("sign-out with cookie %q: %d %s", cookie, res.status, res.body)
		}
	}
	for _, name := range []string{web.AccessCookie, web.RefreshCookie, web.CSRFCookie} {
		if c := cookiesOf(out)[name]; c == nil || c.MaxAge >= 0 {
			t.Errorf("sign-out leaves %s: %v", name, out.header["Set-Cookie"])
		}
	}
	// The register validation errors come as the contract's errors list.
	bad := h.do(req{method: "POST", path: "/studio/session/register", body: map[string]any{"email": "nope", "password": "short", "name": ""}})
	if bad.status != 422 || !strings.Contains(string(bad.body), `"field":"password"`) {
		t.Fatalf("bad registration: %d %s", bad.status, bad.body)
	}
}

// studioSignUp signs a new user up through the studio and returns its cookies.
func studioSignUp(t *testing.T, h *harness, name string, header map[string]string) map[string]*http.Cookie {
	t.Helper()
	res := h.do(req{method: "POST", path: "/studio/session/register", header: header,
		body: map[string]any{"email": name + "@example.com", "password": "Passw0rd!", "name": name, "account_name": name}})
	if res.status != 201 {
		t.Fatalf("studio sign-up %s: %d %s", name, res.status, res.body)
	}
	return cookiesOf(res)
}

// The CSRF token is bound to its session: a token the server did not issue
// for these very cookies is refused, however well the cookie and the header
// agree (the probe sent a cookie and a header of "aaaa").
func TestStudioCSRFBoundToSession(t *testing.T) {
	h := newHarness(t, Config{})
	a, b := studioSignUp(t, h, "csrf-a", nil), studioSignUp(t, h, "csrf-b", nil)
	client := map[string]any{"name": "Bound"}
	post := func(access, csrfCookie, csrfHeader string) response {
		return h.do(req{method: "POST", path: "/api/v1/clients", body: client, header: map[string]string{
			"Cookie": web.AccessCookie + "=" + access + "; " + web.CSRFCookie + "=" + csrfCookie, web.CSRFHeader: csrfHeader}})
	}
	refresh := func(refreshToken, csrfCookie, csrfHeader string) response {
		return h.do(req{method: "POST", path: "/studio/session/refresh", header: map[string]string{
			"Cookie": web.RefreshCookie + "=" + refreshToken + "; " + web.CSRFCookie + "=" + csrfCookie, web.CSRFHeader: csrfHeader}})
	}
	aAccess, aRefresh, aCSRF := a[web.AccessCookie].Value, a[web.RefreshCookie].Value, a[web.CSRFCookie].Value
	bCSRF := b[web.CSRFCookie].Value
	for name, res := range map[string]response{
		"aaaa on the API":                             post(aAccess, "aaaa", "aaaa"),
		"aaaa on refresh":                             refresh(aRefresh, "aaaa", "aaaa"),
		"another session's token on the API":          post(aAccess, bCSRF, bCSRF),
		"another session's token on refresh":          refresh(aRefresh, bCSRF, bCSRF),
		"a token of 32 bytes the server did not make": post(aAccess, strings.Repeat("A", 43), strings.Repeat("A", 43)),
	} {
		if res.status != 403 || res.code() != "forbidden" {
			t.Errorf("%s: %d %s, want 403", name, res.status, res.body)
		}
	}
	if res := post(aAccess, aCSRF, aCSRF); res.status != 201 {
		t.Fatalf("the session's own token: %d %s", res.status, res.body)
	}
	// A refresh issues a new token for the new pair; the old one is done.
	ref := refresh(aRefresh, aCSRF, aCSRF)
	if ref.status != 200 {
		t.Fatalf("refresh: %d %s", ref.status, ref.body)
	}
	next := cookiesOf(ref)
	if next[web.CSRFCookie].Value == aCSRF {
		t.Fatal("the refreshed session kept its CSRF token")
	}
	if res := refresh(next[web.RefreshCookie].Value, aCSRF, aCSRF); res.status != 403 {
		t.Fatalf("the new refresh token with the old CSRF token: %d", res.status)
	}
	if res := post(next[web.AccessCookie].Value, next[web.CSRFCookie].Value, next[web.CSRFCookie].Value); res.status != 201 {
		t.Fatalf("the new pair: %d %s", res.status, res.body)
	}
}

// The Origin check compares the scheme too: a page of https://host is not
// this server's page when the server is reached over plain HTTP. A proxy's
// X-Forwarded-Proto counts only when the server trusts its proxy.
func TestStudioOriginScheme(t *testing.T) {
	for i, tc := range []struct {
		name       string
		trustProxy bool
		proto      string // X-Forwarded-Proto sent
		origin     string
		status     int
	}{
		{"http page over http", false, "", "http://example.com", 201},
		{"https page over http", false, "", "https://example.com", 403},
		{"https page, proxy not trusted", false, "https", "https://example.com", 403},
		{"https page behind a trusted TLS proxy", true, "https", "https://example.com", 201},
		{"http page behind a trusted TLS proxy", true, "https", "http://example.com", 403},
		{"another port", false, "", "http://example.com:8443", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Config{TrustProxy: tc.trustProxy})
			hdr := map[string]string{}
			if tc.proto != "" {
				hdr["X-Forwarded-Proto"] = tc.proto
			}
			user := "origin-" + itoa(i)
			cs := studioSignUp(t, h, user, hdr)
			hdr["Cookie"] = cookieHeader(cs, web.AccessCookie, web.CSRFCookie)
			hdr[web.CSRFHeader] = cs[web.CSRFCookie].Value
			hdr["Origin"] = tc.origin
			if res := h.do(req{method: "POST", path: "/api/v1/clients", body: map[string]any{"name": "O"}, header: hdr}); res.status != tc.status {
				t.Fatalf("POST: %d %s, want %d", res.status, res.body, tc.status)
			}
			signIn := h.do(req{method: "POST", path: "/studio/session", header: map[string]string{"Origin": tc.origin, "X-Forwarded-Proto": tc.proto},
				body: map[string]any{"email": user + "@example.com", "password": "Passw0rd!"}})
			if want := map[int]int{201: 200, 403: 403}[tc.status]; signIn.status != want {
				t.Fatalf("sign-in: %d %s, want %d", signIn.status, signIn.body, want)
			}
		})
	}
}

// Signing out without the CSRF header still ends the login on the server:
// clearing the cookies and leaving the refresh token good would end it only
// in this browser.
func TestStudioSignOutWithoutCSRFEndsTheLogin(t *testing.T) {
	h := newHarness(t, Config{})
	cs := studioSignUp(t, h, "signout", nil)
	out := h.do(req{method: "DELETE", path: "/studio/session", header: map[string]string{"Cookie": cookieHeader(cs, web.RefreshCookie, web.CSRFCookie)}})
	if out.status != 204 {
		t.Fatalf("sign-out: %d %s", out.status, out.body)
	}
	for _, name := range []string{web.AccessCookie, web.RefreshCookie, web.CSRFCookie} {
		if c := cookiesOf(out)[name]; c == nil || c.MaxAge >= 0 {
			t.Errorf("sign-out leaves %s: %v", name, out.header["Set-Cookie"])
		}
	}
	res := h.do(req{method: "POST", path: "/studio/session/refresh", header: map[string]string{
		"Cookie": cookieHeader(cs, web.RefreshCookie, web.CSRFCookie), web.CSRFHeader: cs[web.CSRFCookie].Value}})
	if res.status != 401 {
		t.Fatalf("refresh with the signed-out token: %d %s, want 401", res.status, res.body)
	}
	// A sign-out from another origin does nothing at all.
	other := studioSignUp(t, h, "signout-other", nil)
	if res := h.do(req{method: "DELETE", path: "/studio/session", header: map[string]string{"Origin": "https://evil.example",
		"Cookie": cookieHeader(other, web.RefreshCookie, web.CSRFCookie)}}); res.status != 403 || len(cookiesOf(res)) != 0 {
		t.Fatalf("sign-out from another origin: %d %v", res.status, res.header["Set-Cookie"])
	}
	if res := h.do(req{method: "POST", path: "/studio/session/refresh", header: map[string]string{
		"Cookie": cookieHeader(other, web.RefreshCookie, web.CSRFCookie), web.CSRFHeader: other[web.CSRFCookie].Value}}); res.status != 200 {
		t.Fatalf("refresh after a refused sign-out: %d %s", res.status, res.body)
	}
}

// TestStudioAssets checks the page and its files: the studio's CSP with no
// inline script, gzip, ETag revalidation, and the size budget.
func TestStudioAssets(t *testing.T) {
	h := newHarness(t, Config{})
	page := h.do(req{method: "GET", path: "/"})
	if page.status != 200 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %s", page.status, page.header.Get("Content-Type"))
	}
	csp := page.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Fatalf("CSP %q", csp)
	}
	if s := string(page.body); strings.Contains(s, "<script>") || strings.Contains(s, "style=") || strings.Contains(s, "http://") || strings.Contains(s, "https://") {
		t.Fatalf("the page has inline code or an outside URL: %s", s)
	}
	// The API keeps its own strict policy.
	if csp := h.do(req{method: "GET", path: "/api/v1/billing/plans"}).header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
		t.Fatalf("API CSP %q", csp)
	}
	if res := h.do(req{method: "GET", path: "/nope"}); res.status != 404 || res.code() != "not_found" {
		t.Fatalf("/nope: %d %s", res.status, res.body)
	}

	zipped := h.do(req{method: "GET", path: "/studio/assets/app.js", header: map[string]string{"Accept-Encoding": "gzip, br"}})
	if zipped.status != 200 || zipped.header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(zipped.header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("app.js: %d %v", zipped.status, zipped.header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped.body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Contains(plain, []byte("import ")) {
		t.Fatalf("app.js unzipped: %.100s", plain)
	}
	raw := h.do(req{method: "GET", path: "/studio/assets/app.js", header: map[string]string{"Accept-Encoding": "gzip;q=0"}})
	if raw.header.Get("Content-Encoding") != "" || !bytes.Equal(raw.body, plain) {
		t.Fatalf("gzip;q=0 still got %q", raw.header.Get("Content-Encoding"))
	}
	if res := h.do(req{method: "GET", path: "/studio/assets/app.js", header: map[string]string{"If-None-Match": zipped.header.Get("ETag")}}); res.status != 304 || len(res.body) != 0 {
		t.Fatalf("revalidation: %d", res.status)
	}
	for _, p := range []string{"/studio/assets/nope.js", "/studio/assets/index.html", "/studio/assets/..%2fassets.go"} {
		if res := h.do(req{method: "GET", path: p}); res.status != 404 {
			t.Errorf("%s: %d", p, res.status)
		}
	}

	// JS + CSS stay under 150 KB gzip, each file compressed on its own as served.
	total := 0
	for _, name := range h.api.studio.Names() {
		if strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css") {
			total += h.api.studio.GzipSize(name)
		}
	}
	if total == 0 || total > 150<<10 {
		t.Fatalf("studio JS + CSS is %d bytes gzip; the budget is 150 KiB", total)
	}
	t.Logf("studio JS + CSS: %d bytes gzip", total)
}

// TestSaveScript stores an edited script on a content: timed by the reading
// model as written, the content's latest, never a cached generation; bad
// shapes are refused field by field, viewers may not.
func TestSaveScript(t *testing.T) {
	h := newHarness(t, Config{})
	a := h.register("editor")
	cl := h.do(req{method: "POST", path: "/api/v1/clients", token: a.token, body: map[string]any{"name": "C"}}).json(t)
	camp := h.do(req{method: "POST", path: "/api/v1/campaigns", token: a.token, body: map[string]any{"client_id": cl["id"], "name": "K"}}).json(t)
	content := h.do(req{method: "POST", path: "/api/v1/campaigns/" + itoa(int(camp["id"].(float64))) + "/contents", token: a.token,
		body: map[string]any{"topic": "latte art", "platform": "youtube", "language": "en", "target_duration": 30}}).json(t)
	path := "/api/v1/contents/" + itoa(int(content["id"].(float64))) + "/script"
	gen := h.do(req{method: "POST", path: "/api/v1/writer/generate", token: a.token, body: map[string]any{"content_id": content["id"], "tone": "friendly"}})
	if gen.status != 200 {
		t.Fatalf("generate: %d %s", gen.status, gen.body)
	}
	edit := map[string]any{"blocks": []map[string]any{
		{"type": "hook", "text": "Latte art at home, tonight."},
		{"type": "body", "text": "Steam the milk until it shines, then pour from high, then low."},
		{"type": "cta", "text": "Subscribe for more."},
	}}
	res := h.do(req{method: "PUT", path: path, token: a.token, body: edit})
	if res.status != 200 {
		t.Fatalf("save: %d %s", res.status, res.body)
	}
	sc := res.json(t)
	blocks := sc["blocks"].([]any)
	if sc["provider"] != "edited" || sc["tone"] != "friendly" || len(blocks) != 3 || sc["hook"] != "Latte art at home, tonight." {
		t.Fatalf("saved: %s", res.body)
	}
	end := 0.0
	for i, b := range blocks {
		b := b.(map[string]any)
		if b["start"].(float64) != end || b["duration"].(float64) <= 0 || b["order"].(float64) != float64(i) {
			t.Fatalf("block %d: %v (previous end %v)", i, b, end)
		}
		end = b["end"].(float64)
	}
	if sc["estimated_duration"].(float64) != end {
		t.Fatalf("estimated %v, blocks end at %v", sc["estimated_duration"], end)
	}
	// The hook alone, as the duration route times it, plus the pause after it.
	hook := h.do(req{method: "POST", path: "/api/v1/writer/duration", token: a.token, body: map[string]any{"text": "Latte art at home, tonight.\n", "language": "en"}}).json(t)
	if got := blocks[0].(map[string]any)["duration"].(float64); got != hook["seconds"].(float64) {
		t.Fatalf("hook timed %v s; the duration model says %v s", got, hook["seconds"])
	}
	latest := h.do(req{method: "GET", path: path, token: a.token}).json(t)
	if latest["script_id"] != sc["script_id"] {
		t.Fatalf("latest script %v, saved %v", latest["script_id"], sc["script_id"])
	}
	if again := h.do(req{method: "POST", path: "/api/v1/writer/generate", token: a.token, body: map[string]any{"content_id": content["id"], "tone": "friendly"}}).json(t); again["provider"] == "edited" {
		t.Fatal("an identical generate returned the edited script as cached")
	}
	for name, bad := range map[string]struct {
		body  any
		field string
	}{
		"too few":       {map[string]any{"blocks": []map[string]any{{"type": "hook", "text": "a"}}}, "blocks"},
		"order":         {map[string]any{"blocks": []map[string]any{{"type": "body", "text": "a"}, {"type": "body", "text": "b"}, {"type": "cta", "text": "c"}}}, "blocks[0].type"},
		"empty text":    {map[string]any{"blocks": []map[string]any{{"type": "hook", "text": "a"}, {"type": "body", "text": "  "}, {"type": "cta", "text": "c"}}}, "blocks[1].text"},
		"no blocks key": {map[string]any{}, "blocks"},
		// The probe's NUL, which went on to speech.
		"NUL in a block":    {map[string]any{"blocks": []map[string]any{{"type": "hook", "text": "a"}, {"type": "body", "text": "a\u0000"}, {"type": "cta", "text": "c"}}}, "blocks[1].text"},
		"escape in a block": {map[string]any{"blocks": []map[string]any{{"type": "hook", "text": "a"}, {"type": "body", "text": "b"}, {"type": "cta", "text": "\u001b[31mc"}}}, "blocks[2].text"},
	} {
		res := h.do(req{method: "PUT", path: path, token: a.token, body: bad.body})
		if res.status != 422 || !strings.Contains(string(res.body), `"field":"`+bad.field+`"`) {
			t.Errorf("%s: %d %s, want 422 at %s", name, res.status, res.body, bad.field)
		}
	}
	if again := h.do(req{method: "GET", path: path, token: a.token}).json(t); again["script_id"] != sc["script_id"] {
		t.Fatalf("a refused edit was stored: latest script %v, want %v", again["script_id"], sc["script_id"])
	}
	h.do(req{method: "POST", path: "/api/v1/account/users", token: a.token, body: map[string]any{"email": "v-editor@example.com", "name": "V", "password": "Passw0rd!", "role": "viewer"}})
	viewer := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": "v-editor@example.com", "password": "Passw0rd!"}}).json(t)
	if res := h.do(req{method: "PUT", path: path, token: viewer["access_token"].(string), body: edit}); res.status != 403 {
		t.Fatalf("viewer: %d %s", res.status, res.body)
	}
}
