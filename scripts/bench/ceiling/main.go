// Command ceiling is the yardstick of scripts/bench: a bare Go JSON handler
// (net/http, encoding/json, nothing else) answering GET with a list of 20
// campaign-like objects, about the size of OmniVibe Pro's 20-row
// GET /api/v1/campaigns. What a server does beyond it (authentication,
// tenancy, database, cache, metrics) shows as the ratio of its req/s to
// this one's, measured in the same run on the same machine: a ratio
// transfers between machines, an absolute req/s does not.
//
// It encodes the list on every request, as a bare handler would; it is not
// an upper bound of net/http (pre-encoded bytes would be faster), but of what
// a plain JSON API in Go does per request.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

type campaign struct {
	ID             int64     `json:"id"`
	AccountID      int64     `json:"account_id"`
	ClientID       int64     `json:"client_id"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	ConceptGender  string    `json:"concept_gender"`
	ConceptTone    string    `json:"concept_tone"`
	ConceptStyle   string    `json:"concept_style"`
	Platform       string    `json:"platform"`
	TargetDuration int       `json:"target_duration"`
	VoiceID        string    `json:"voice_id"`
	VoiceName      string    `json:"voice_name"`
	IntroDuration  float64   `json:"intro_duration"`
	OutroDuration  float64   `json:"outro_duration"`
	BGMVolume      float64   `json:"bgm_volume"`
	AutoDeploy     bool      `json:"auto_deploy"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

type page struct {
	Campaigns []campaign `json:"campaigns"`
	Total     int        `json:"total"`
	Page      int        `json:"page"`
	PageSize  int        `json:"page_size"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	now := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	p := page{Total: 20, Page: 1, PageSize: 20}
	for i := range 20 {
		p.Campaigns = append(p.Campaigns, campaign{ID: int64(i + 1), AccountID: 1, ClientID: 1, Name: fmt.Sprintf("Seed %d", i+1),
			Description:   "A campaign of the ceiling benchmark, about as long as a seeded one is in JSON.",
			ConceptGender: "neutral", ConceptTone: "casual", ConceptStyle: "minimal", Platform: "youtube", TargetDuration: 60,
			VoiceID: "default", VoiceName: "Rachel", IntroDuration: 5, OutroDuration: 5, BGMVolume: 0.3, Status: "active", CreatedAt: now, UpdatedAt: now})
	}
	body, _ := json.Marshal(p)
	fmt.Fprintf(os.Stderr, "ceiling: %d-byte list\n", len(body))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if err := json.NewEncoder(w).Encode(p); err != nil {
			log.Print(err)
		}
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
