package web_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestAPIReferenceInBrowser loads the API reference (/docs, which
// internal/httpapi serves; the browser harness lives here) in headless
// Chromium and checks that it renders every operation of /openapi.json,
// the multipart upload of POST /api/v1/audio/verify with its form fields
// included, with no error on the page and nothing asked of another origin.
func TestAPIReferenceInBrowser(t *testing.T) {
	chromiumPath(t)
	base := studio(t, "synthetic", "none")

	// The operations, as a client of the document finds them.
	res, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	err = json.NewDecoder(res.Body).Decode(&doc)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for path, item := range doc.Paths {
		for method, op := range item {
			want = append(want, op.OperationID+" "+strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(want)
	if len(want) < 60 {
		t.Fatalf("the document has %d operations", len(want))
	}

	b := newBrowser(t, base)
	b.do(chromedp.Navigate(base + "/docs"))
	b.until(`document.documentElement.dataset.ready === 'true' || document.getElementById('ops').textContent.includes('Could not')`, 20*time.Second)
	if text := b.text("#ops"); strings.Contains(text, "Could not") {
		t.Fatalf("the reference shows an error: %.300s", text)
	}
	got := evalJS[[]string](b, `[...document.querySelectorAll('details.op')].map(d =>
		d.dataset.operationId + ' ' + d.querySelector('.method').textContent + ' ' + d.querySelector('.path').textContent).sort()`)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the page shows the operations\n%s\nthe document has\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The upload: its media type and every field of its form.
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('op-verifyAudio').open = true`))
	b.do(chromedp.WaitVisible(chromedp.CSS("#op-verifyAudio .request")))
	upload := evalJS[string](b, `document.querySelector('#op-verifyAudio .request').textContent`)
	for _, s := range []string{"multipart/form-data", "file", "text", "language", "accuracy_threshold", "required fields: file, text"} {
		if !strings.Contains(upload, s) {
			t.Errorf("the upload's request body does not show %q: %s", s, upload)
		}
	}
	// A public operation shows no lock, one that needs credentials does.
	if lock := b.text("#op-listPlans summary"); strings.Contains(lock, "credentials") {
		t.Errorf("GET /api/v1/billing/plans is public but shows %q", lock)
	}
	if lock := b.text("#op-listCampaigns summary"); !strings.Contains(lock, "credentials") {
		t.Errorf("GET /api/v1/campaigns needs credentials but shows %q", lock)
	}
	b.checkContrast("API reference")
	b.shot("api-reference")
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('op-verifyAudio').scrollIntoView()`))
	b.shot("api-reference-upload")

	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.blocked) != 0 {
		t.Fatalf("the reference requested other origins: %v", b.blocked)
	}
	if len(b.problems) != 0 {
		t.Fatalf("the page reported: %q", b.problems)
	}
}
