package writer

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// localModel names the local writer's phrase banks, so a stored script says which
// version of them wrote it.
const localModel = "phrasebank-v1"

// phraseBank is what the local writer writes one language from. Templates name their
// slots in braces: {topic}, {audience}, {medium} and {action}; in Korean a slot may
// name the particle that follows it ({topic:은}, {action:을}), written in its form after
// a final consonant, and the form that fits the filled-in word is chosen.
type phraseBank struct {
	sentenceGap     string                // between sentences: a space, or nothing in Japanese and Chinese
	defaultAudience string                // {audience} when the request names none
	topicRef        string                // stands for the topic once it has been named twice
	media           map[string]string     // platform → what the viewer is watching
	hooks           map[string][]string   // tone → hooks
	ctas            map[string][]string   // tone → calls to action around {action}
	actions         map[string][]string   // platform → what the viewer should do
	connectors      map[string]connectors // tone → words that lead into each point
	asides          map[string][]string   // tone → a line in the tone's own voice
	angles          []angle               // ways into the topic, one per body point
	formalTones     map[string]bool       // tones whose body is turned formal (Korean)
	formal          func(string) string   // the formal register, when the language has one
}

// connectors lead into the body points: the first point, the ones in between, the last.
type connectors struct {
	first, next, last []string
	// only leads into the single point of a very short video, in the tone's voice; it
	// is a sentence of its own.
	only []string
}

// angle is one way into a topic (why it matters, a common mistake, a first step, ...):
// a lead sentence that opens a body point and beats that develop it. Beats are written
// to stand on their own, so a long script can borrow them from angles it does not lead
// with.
type angle struct {
	lead  string
	short string // a few words that make the same point, for videos too short for lead
	beats []string
}

// localDrafter writes scripts from the phrase banks without any network. The same
// request always gives the same script: every choice is drawn from a sequence seeded
// with a hash of the request.
type localDrafter struct{}

func (localDrafter) draft(_ context.Context, req Request) (draft, error) {
	return writeLocal(req), nil
}

// maxTopicMentions is how often the topic is named before topicRef stands in for it;
// a long topic pasted into every sentence reads like a template.
const maxTopicMentions = 2

// composer holds the state of writing one script.
type composer struct {
	bank       *phraseBank
	req        Request
	seq        choiceSequence
	audience   string
	mentions   int
	formalBody bool
}

func writeLocal(req Request) draft {
	c := composer{
		bank:     phraseBanks[req.Language],
		req:      req,
		seq:      choiceSequence{state: requestSeed(req)},
		audience: cmpOr(req.Audience, phraseBanks[req.Language].defaultAudience),
	}
	c.formalBody = c.bank.formal != nil && c.bank.formalTones[req.Tone]

	target := float64(req.TargetDuration)
	hookBudget, ctaBudget := hookAndCTASeconds(req.TargetDuration)
	// Every hook names the topic, so its budget is the hook's own words plus the topic.
	hook := c.pick(c.bank.hooks[req.Tone], hookBudget+c.seconds(req.Topic), "")
	actions := c.bank.actions[req.Platform]
	action := actions[c.seq.intn(len(actions))]
	cta := c.pick(c.bank.ctas[req.Tone], ctaBudget, action)

	points := suggestedBodyPoints(req.TargetDuration)
	// The blocks are read as one text with a line break between each two of them.
	remaining := target - c.seconds(hook) - c.seconds(cta) - newlinePause*float64(points+1)
	return draft{hook: hook, body: c.body(points, remaining), cta: cta}
}

// body writes n points that together read for about seconds.
func (c *composer) body(n int, seconds float64) []string {
	b := c.bank
	order := c.seq.perm(len(b.angles))
	var spare []string // beats of the angles no point leads with
	for _, a := range order[n:] {
		spare = append(spare, b.angles[a].beats...)
	}
	c.seq.shuffle(spare)

	conn := b.connectors[c.req.Tone]
	nextOffset := c.seq.intn(len(conn.next))
	asideAt := -1
	if c.req.TargetDuration >= 30 {
		asideAt = min(1, n-1)
	}

	points := make([]string, 0, n)
	for i := range n {
		var connector string
		switch {
		case n == 1:
			connector = conn.only[c.seq.intn(len(conn.only))]
		case i == 0:
			connector = conn.first[c.seq.intn(len(conn.first))]
		case i == n-1:
			connector = conn.last[c.seq.intn(len(conn.last))]
		default:
			connector = conn.next[(nextOffset+i-1)%len(conn.next)]
		}
		budget := seconds / float64(n-i)
		a := b.angles[order[i]]
		text := c.joinConnector(connector, c.fill(a.lead, ""))
		est := c.seconds(text)
		if short := c.joinConnector(connector, a.short); est > budget*4/3 && math.Abs(c.seconds(short)-budget) < math.Abs(est-budget) {
			text, est = short, c.seconds(short)
		} else {
			c.noteMentions(a.lead)
		}

		var pool []string
		if i == asideAt {
			asides := b.asides[c.req.Tone]
			pool = append(pool, asides[c.seq.intn(len(asides))])
		}
		beats := append([]string(nil), a.beats...)
		c.seq.shuffle(beats)
		pool = append(pool, beats...)

		for len(pool) > 0 || len(spare) > 0 {
			source := &pool
			if len(pool) == 0 {
				source = &spare
			}
			next := (*source)[0]
			sentence := c.fill(next, "")
			// Reading times add up across a sentence boundary (the gap is a space or
			// nothing, and a sentence starts with a letter), so only the new sentence is
			// measured; measuring the whole point again each time made long scripts
			// quadratic.
			candidateEst := est + c.seconds(sentence)
			if math.Abs(candidateEst-budget) >= math.Abs(est-budget) {
				break
			}
			text, est = text+b.sentenceGap+sentence, candidateEst
			*source = (*source)[1:]
			c.noteMentions(next)
		}
		if c.formalBody {
			text = b.formal(text)
		}
		points = append(points, c.finish(text))
		seconds -= est + newlinePause
	}
	return points
}

// pick chooses one of templates for a part that should read for about budget seconds:
// the first, from a start drawn from the request, whose length is within half the budget
// of it, else the one nearest to it. Drawing the start keeps variety; the length check
// keeps a 10 s video from getting a 10 s hook.
func (c *composer) pick(templates []string, budget float64, action string) string {
	start := c.seq.intn(len(templates))
	best, bestDiff := "", math.Inf(1)
	bestTemplate := ""
	for k := range templates {
		t := templates[(start+k)%len(templates)]
		text := c.finish(c.fill(t, action))
		diff := math.Abs(c.seconds(text) - budget)
		if diff <= budget/2 {
			best, bestTemplate = text, t
			break
		}
		if diff < bestDiff {
			best, bestDiff, bestTemplate = text, diff, t
		}
	}
	c.noteMentions(bestTemplate)
	return best
}

func (c *composer) seconds(text string) float64 {
	return Estimate(text, c.req.Language).Seconds
}

// noteMentions counts the topic mentions of a template that made it into the script.
func (c *composer) noteMentions(template string) {
	c.mentions += strings.Count(template, "{topic")
}

// joinConnector puts a connector ("First,", "먼저,", "まず、") before a sentence.
func (c *composer) joinConnector(connector, sentence string) string {
	if connector == "" {
		return sentence
	}
	if c.req.Language != "en" {
		if c.bank.sentenceGap == "" {
			return connector + sentence
		}
		return connector + " " + sentence
	}
	// "First, " + "Start with ..." → "First, start with ...", unless the connector is a
	// sentence of its own or the sentence opens with a name or an acronym ("AI", "TikTok").
	if end, _ := utf8.DecodeLastRuneInString(connector); end == '.' || end == '!' || end == '?' {
		return connector + " " + sentence
	}
	r, size := utf8.DecodeRuneInString(sentence)
	if r2, _ := utf8.DecodeRuneInString(sentence[size:]); unicode.IsUpper(r) && unicode.IsLower(r2) &&
		!strings.HasPrefix(sentence, "I ") && !strings.HasPrefix(sentence, c.req.Topic) {
		sentence = string(unicode.ToLower(r)) + sentence[size:]
	}
	return connector + " " + sentence
}

// fill replaces the slots of a template.
func (c *composer) fill(template, action string) string {
	if !strings.Contains(template, "{") {
		return template
	}
	var out strings.Builder
	rest := template
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			out.WriteString(rest)
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			out.WriteString(rest)
			break
		}
		out.WriteString(rest[:open])
		slot := rest[open+1 : open+end]
		rest = rest[open+end+1:]

		name, particle, _ := strings.Cut(slot, ":")
		var value string
		switch name {
		case "topic":
			value = c.req.Topic
			if c.mentions >= maxTopicMentions {
				value = c.bank.topicRef
			}
		case "audience":
			value = c.audience
		case "medium":
			value = c.bank.media[c.req.Platform]
		case "action":
			value = action
		}
		if particle != "" {
			value = attachParticle(value, particle)
		}
		out.WriteString(value)
	}
	return out.String()
}

// finish capitalizes English sentences, which may open with a slot ("{topic} is ...").
func (c *composer) finish(text string) string {
	if c.req.Language != "en" {
		return text
	}
	buf := []byte(text)
	capitalize := true
	for i := 0; i < len(buf); i++ {
		ch := buf[i]
		switch {
		case ch == '.' || ch == '!' || ch == '?':
			capitalize = true
		case ch == ' ':
		case capitalize && ch >= 'a' && ch <= 'z':
			buf[i] = ch - 'a' + 'A'
			capitalize = false
		default:
			capitalize = false
		}
	}
	return string(buf)
}

// requestSeed hashes every field that shapes the script, so that the same request
// always gives the same script and any change can give another.
func requestSeed(req Request) uint64 {
	h := fnv.New64a()
	for _, s := range []string{req.Topic, req.Platform, req.Tone, req.Language, req.Audience, req.CampaignName} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var d [4]byte
	d[0], d[1], d[2], d[3] = byte(req.TargetDuration>>24), byte(req.TargetDuration>>16), byte(req.TargetDuration>>8), byte(req.TargetDuration) // #nosec G115 -- cutting the duration into its bytes is the point
	h.Write(d[:])
	return h.Sum64()
}

// choiceSequence is a splitmix64 sequence: small, fast and the same on every platform,
// which a script that must not change between releases of Go needs.
type choiceSequence struct{ state uint64 }

func (s *choiceSequence) next() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n).
func (s *choiceSequence) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return int(s.next() % uint64(n)) // #nosec G115 -- n is a positive int and the remainder is below it
}

// perm returns a permutation of [0, n).
func (s *choiceSequence) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := s.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

func (s *choiceSequence) shuffle(items []string) {
	for i := len(items) - 1; i > 0; i-- {
		j := s.intn(i + 1)
		items[i], items[j] = items[j], items[i]
	}
}
