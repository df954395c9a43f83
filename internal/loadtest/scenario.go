package loadtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// task is one thing a virtual user does between waits.
type task uint8

const (
	taskListCampaigns task = iota
	taskGenerateScript
	taskCreateCampaign
	taskListPlans
	taskGenerateAudio
	taskAudioStatus
)

// weightedTask is a task and its Locust @task weight.
type weightedTask struct {
	task   task
	weight int
}

// userKind is one of the report's two virtual user classes.
type userKind struct {
	name             string
	weight           int // share of the users, as Locust's class weight
	minWait, maxWait time.Duration
	needsClient      bool // on start, creates one client for its campaigns
	tasks            []weightedTask
	totalTaskWeight  int
}

// The report's scenario: regular users (weight 7, 1-3 s waits) list and create
// campaigns, write scripts and read the plans; power users (weight 3, 2-5 s waits)
// generate audio and poll its status.
var (
	regularUser = &userKind{
		name: "regular", weight: 7, minWait: 1 * time.Second, maxWait: 3 * time.Second, needsClient: true,
		tasks: []weightedTask{
			{taskListCampaigns, 5}, {taskGenerateScript, 3}, {taskCreateCampaign, 2}, {taskListPlans, 1},
		},
	}
	powerUser = &userKind{
		name: "power", weight: 3, minWait: 2 * time.Second, maxWait: 5 * time.Second,
		tasks: []weightedTask{
			{taskGenerateAudio, 3}, {taskAudioStatus, 2}, {taskListCampaigns, 1},
		},
	}
	userKinds = []*userKind{regularUser, powerUser}
)

func init() {
	for _, k := range userKinds {
		for _, t := range k.tasks {
			k.totalTaskWeight += t.weight
		}
	}
}

// pickTask chooses a task by weight; intn is the caller's random source.
func (k *userKind) pickTask(intn func(int) int) task {
	n := intn(k.totalTaskWeight)
	for _, t := range k.tasks {
		if n < t.weight {
			return t.task
		}
		n -= t.weight
	}
	return k.tasks[len(k.tasks)-1].task
}

// waitTime is a uniformly random think time of this kind, scaled for tests.
func (k *userKind) waitTime(intn64 func(int64) int64, scale float64) time.Duration {
	d := k.minWait + time.Duration(intn64(int64(k.maxWait-k.minWait)+1))
	return time.Duration(float64(d) * scale)
}

// kindForUser spreads users over the kinds in proportion to their weights, the
// way Locust's dispatcher does: the n-th user goes to the kind furthest below its
// share, so any prefix of the users is as close to 70/30 as integers allow.
func kindForUser(counts []int) int {
	total, weights := 0, 0
	for i, k := range userKinds {
		total += counts[i]
		weights += k.weight
	}
	best, bestDeficit := 0, -1.0
	for i, k := range userKinds {
		deficit := float64(k.weight)*float64(total+1)/float64(weights) - float64(counts[i])
		if deficit > bestDeficit {
			best, bestDeficit = i, deficit
		}
	}
	return best
}

// openModelMix is the share of requests each kind makes in the open model: the
// closed scenario's steady-state mix, where a kind's request rate is its user
// weight divided by its mean wait (regular 7/2 s, power 3/3.5 s: 80.3 % / 19.7 %).
func openModelMix() []float64 {
	shares := make([]float64, len(userKinds))
	sum := 0.0
	for i, k := range userKinds {
		shares[i] = float64(k.weight) / (k.minWait + k.maxWait).Seconds() * 2
		sum += shares[i]
	}
	for i := range shares {
		shares[i] /= sum
	}
	return shares
}

// target is one base URL with every scenario URL precomputed, so building a
// request does no string work beyond the audio task's id.
type target struct {
	base string
	urls [numEndpoints]string
}

func newTarget(base string) *target {
	t := &target{base: base}
	for i, e := range endpoints {
		t.urls[i] = base + e.Name
	}
	t.urls[epAudioStatus] = base + "/api/v1/audio/status/"
	return t
}

// credentials are an account's current tokens. The header map is shared by every
// request of the account and never modified after creation (an http.RoundTripper
// does not modify the request), so it costs nothing per request.
type credentials struct {
	header       http.Header
	refreshToken string
	issuedAt     time.Time
	expiresAt    time.Time // zero when the server did not say
	retryAt      time.Time // after a failed refresh: when to try again
}

// Setup steps of an account, in order, as the report's on_start does them.
const (
	stepRegister = iota
	stepSetPlan
	stepCreateClient
	stepDone
)

// maxTaskIDs bounds the audio tasks an account remembers for status polling.
const maxTaskIDs = 64

// account is a virtual user's identity on the server: one registered user and its
// workspace on the pro plan, and for regular users one client.
type account struct {
	index  int
	kind   *userKind
	target *target
	runID  string

	setupMu  sync.Mutex // one setup step at a time
	step     int
	attempts int // register attempts; each uses a new email
	ready    atomic.Bool

	creds    atomic.Pointer[credentials]
	clientID atomic.Int64
	seq      atomic.Int64 // campaign names
	renewing atomic.Bool  // one token refresh at a time

	tasksMu   sync.Mutex
	taskURLs  []string // status URLs of audio tasks this account created
	taskNext  int
	hasTaskID atomic.Bool
}

func newAccount(index int, kind *userKind, t *target, runID string) *account {
	return &account{index: index, kind: kind, target: t, runID: runID}
}

func (a *account) addTask(statusURL string) {
	a.tasksMu.Lock()
	if len(a.taskURLs) < maxTaskIDs {
		a.taskURLs = append(a.taskURLs, statusURL)
	} else {
		a.taskURLs[a.taskNext] = statusURL
		a.taskNext = (a.taskNext + 1) % maxTaskIDs
	}
	a.tasksMu.Unlock()
	a.hasTaskID.Store(true)
}

// randomTask returns the status URL of one of the account's audio tasks, or ""
// when it has none yet.
func (a *account) randomTask(intn func(int) int) string {
	if !a.hasTaskID.Load() {
		return ""
	}
	a.tasksMu.Lock()
	defer a.tasksMu.Unlock()
	return a.taskURLs[intn(len(a.taskURLs))]
}

// Request bodies. The fixed ones are shared, read-only, by every request.
var (
	contentTypeJSON = []string{"application/json"}
	userAgent       = []string{"omnivibe-loadtest/1"}
	publicHeader    = http.Header{"Accept": contentTypeJSON, "User-Agent": userAgent}
	planProBody     = []byte(`{"plan":"pro"}`)
	audioBody       = []byte(`{"text":"안녕하세요, 테스트 오디오입니다.","voice_id":"default","language":"ko"}`)
	scriptTopic     = "AI 비디오 자동화"
	platforms       = []string{"youtube", "instagram", "tiktok"}
	genders         = []string{"male", "female", "neutral"}
	tones           = []string{"professional", "casual", "friendly"}
	styles          = []string{"cinematic", "minimal", "dynamic"}
)

// loadPassword satisfies the contract's rule (8-128 characters with a lower case
// letter, an upper case letter and a digit).
const loadPassword = "LoadTest-2026-pw"

func authHeader(token string) http.Header {
	return http.Header{
		"Accept":        contentTypeJSON,
		"Content-Type":  contentTypeJSON,
		"User-Agent":    userAgent,
		"Authorization": []string{"Bearer " + token},
	}
}

var jsonHeader = http.Header{"Accept": contentTypeJSON, "Content-Type": contentTypeJSON, "User-Agent": userAgent}

func (a *account) registerBody() []byte {
	id := a.runID + "-u" + strconv.Itoa(a.index) + "-" + strconv.Itoa(a.attempts)
	b, _ := json.Marshal(map[string]string{
		"email":        "loadtest-" + id + "@example.com",
		"password":     loadPassword,
		"name":         "Load User " + strconv.Itoa(a.index),
		"account_name": "Loadtest " + id,
	})
	return b
}

func (a *account) clientBody() []byte {
	b, _ := json.Marshal(map[string]string{
		"name":     "Loadtest client " + a.runID + "-u" + strconv.Itoa(a.index),
		"industry": "Load testing",
	})
	return b
}

// scriptBody is the report's writer request: a campaign name "Campaign 1-100",
// the fixed topic, a random platform and a target duration of 60-180 s.
func scriptBody(intn func(int) int) []byte {
	b := make([]byte, 0, 160)
	b = append(b, `{"campaign_name":"Campaign `...)
	b = strconv.AppendInt(b, int64(1+intn(100)), 10)
	b = append(b, `","topic":"`...)
	b = append(b, scriptTopic...)
	b = append(b, `","platform":"`...)
	b = append(b, platforms[intn(len(platforms))]...)
	b = append(b, `","target_duration":`...)
	b = strconv.AppendInt(b, int64(60+intn(121)), 10)
	return append(b, '}')
}

// campaignBody is the report's campaign: a unique name, the account's client and
// a random concept and duration (30-180 s).
func (a *account) campaignBody(intn func(int) int) []byte {
	b := make([]byte, 0, 224)
	b = append(b, `{"name":"Loadtest `...)
	b = append(b, a.runID...)
	b = append(b, "-u"...)
	b = strconv.AppendInt(b, int64(a.index), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, a.seq.Add(1), 10)
	b = append(b, `","client_id":`...)
	b = strconv.AppendInt(b, a.clientID.Load(), 10)
	b = append(b, `,"concept_gender":"`...)
	b = append(b, genders[intn(len(genders))]...)
	b = append(b, `","concept_tone":"`...)
	b = append(b, tones[intn(len(tones))]...)
	b = append(b, `","concept_style":"`...)
	b = append(b, styles[intn(len(styles))]...)
	b = append(b, `","target_duration":`...)
	b = strconv.AppendInt(b, int64(30+intn(151)), 10)
	return append(b, '}')
}

// tokenAnswer is the part of the register and refresh answers the scenario needs.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
}

// takeTokens installs the tokens of a register or refresh answer, or says why it
// cannot.
func (a *account) takeTokens(body []byte, now time.Time) string {
	var t tokenAnswer
	if err := json.Unmarshal(body, &t); err != nil {
		return "bad response: body is not JSON"
	}
	if t.AccessToken == "" {
		return "bad response: no access_token"
	}
	c := &credentials{header: authHeader(t.AccessToken), refreshToken: t.RefreshToken, issuedAt: now}
	if t.ExpiresIn > 0 {
		c.expiresAt = now.Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	a.creds.Store(c)
	return ""
}

func (a *account) takeClientID(body []byte) string {
	var c struct {
		ID json.Number `json:"id"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return "bad response: body is not JSON"
	}
	id, err := c.ID.Int64()
	if err != nil {
		return "bad response: no client id"
	}
	a.clientID.Store(id)
	return ""
}

func (a *account) takeTaskID(body []byte) string {
	id, kind := parseTaskID(body)
	if kind != "" {
		return kind
	}
	a.addTask(a.target.urls[epAudioStatus] + url.PathEscape(id))
	return ""
}

// parseTaskID reads the task id of an accepted voice-over, or says why it
// cannot.
func parseTaskID(body []byte) (string, string) {
	var t struct {
		TaskID json.RawMessage `json:"task_id"`
	}
	if err := json.Unmarshal(body, &t); err != nil {
		return "", "bad response: body is not JSON"
	}
	// The contract's task ids are opaque strings; a number is accepted too.
	var id string
	if json.Unmarshal(t.TaskID, &id) != nil {
		var n json.Number
		if json.Unmarshal(t.TaskID, &n) != nil {
			return "", "bad response: no task_id"
		}
		id = n.String()
	}
	if id == "" {
		return "", "bad response: no task_id"
	}
	return id, ""
}

// renewAt is when the access token should be refreshed: at four fifths of its
// life (24 minutes into the contract's 30), or at the retry time after a failed
// refresh.
func (c *credentials) renewAt() time.Time {
	if !c.retryAt.IsZero() {
		return c.retryAt
	}
	return c.expiresAt.Add(-c.expiresAt.Sub(c.issuedAt) / 5)
}

func jsonObject(key, value string) ([]byte, error) {
	return json.Marshal(map[string]string{key: value})
}
