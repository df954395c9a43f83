package loadtest

// endpointID indexes the fixed set of requests the scenario makes. A fixed set lets
// the recorder keep per-endpoint statistics in arrays instead of maps on the hot path.
type endpointID uint8

const (
	epRegister endpointID = iota
	epSetPlan
	epCreateClient
	epListCampaigns
	epCreateCampaign
	epGenerateScript
	epListPlans
	epGenerateAudio
	epAudioStatus
	epRefreshToken
	numEndpoints
)

// endpoint is how a request is named in the statistics: Locust's Type (the method)
// and Name (the path, with variable parts replaced by a placeholder so that every
// audio task's status is one row, as a locustfile would name it).
type endpoint struct {
	Method string
	Name   string
}

// endpoints lists every request of the scenario in endpointID order.
var endpoints = [numEndpoints]endpoint{
	epRegister:       {"POST", "/api/v1/auth/register"},
	epSetPlan:        {"PUT", "/api/v1/billing/plan"},
	epCreateClient:   {"POST", "/api/v1/clients"},
	epListCampaigns:  {"GET", "/api/v1/campaigns"},
	epCreateCampaign: {"POST", "/api/v1/campaigns"},
	epGenerateScript: {"POST", "/api/v1/writer/generate"},
	epListPlans:      {"GET", "/api/v1/billing/plans"},
	epGenerateAudio:  {"POST", "/api/v1/audio/generate"},
	epAudioStatus:    {"GET", "/api/v1/audio/status/[id]"},
	epRefreshToken:   {"POST", "/api/v1/auth/refresh"},
}

// String returns "METHOD /name", the form used in SLO targets and messages.
func (e endpoint) String() string { return e.Method + " " + e.Name }

// lookupEndpoint finds an endpoint by its "METHOD /name" form.
func lookupEndpoint(s string) (endpointID, bool) {
	for i, e := range endpoints {
		if e.String() == s {
			return endpointID(i), true
		}
	}
	return 0, false
}
