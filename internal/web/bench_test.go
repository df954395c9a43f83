package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkFirstLoad measures a first visit in headless Chromium: each
// iteration opens a fresh browser context (empty cache, no cookies), loads
// the page and waits until it is interactive. It reports the page's own
// clock from navigation start (ms-interactive: the studio has asked
// /auth/me and drawn the sign-in form; for /docs, the load event) and the
// bytes transferred. /docs, the other page the binary serves, is measured in
// the same run as the reference.
//
//	go test -run '^$' -bench FirstLoad -benchtime 10x ./internal/web/
func BenchmarkFirstLoad(b *testing.B) {
	for _, page := range []struct{ name, path, ready, at string }{
		{"studio", "/", `document.documentElement.dataset.ready === 'true'`, `Number(document.documentElement.dataset.readyAt)`},
		{"docs", "/docs", `document.readyState === 'complete' && performance.getEntriesByType('navigation')[0].loadEventEnd > 0`, `performance.getEntriesByType('navigation')[0].loadEventEnd`},
	} {
		b.Run(page.name, func(b *testing.B) {
			base := studio(b, "synthetic", "none")
			browser := launch(b)
			var ms, bytes float64
			for i := 0; i < b.N; i++ {
				ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
				run, stop := context.WithTimeout(ctx, 30*time.Second)
				err := chromedp.Do(run, chromedp.Navigate(base+page.path),
					chromedp.Poll[chromedp.Void](page.ready, chromedp.WithPollingInterval(5*time.Millisecond)))
				if err != nil {
					b.Fatal(err)
				}
				v, err := chromedp.Run(run, chromedp.Evaluate[map[string]float64](`({at: `+page.at+`, bytes: (() => {
					const nav = performance.getEntriesByType('navigation')[0];
					return nav.transferSize + performance.getEntriesByType('resource').reduce((a, e) => a + e.transferSize, 0); })()})`))
				if err != nil {
					b.Fatal(err)
				}
				ms += v["at"]
				bytes += v["bytes"]
				stop()
				cancel()
			}
			b.ReportMetric(ms/float64(b.N), "ms-interactive")
			b.ReportMetric(bytes/float64(b.N), "B-transferred")
		})
	}
}
