// Package writer writes the voice-over scripts of OmniVibe Pro and times them to the
// second.
//
// A script has a hook, one to five body points and a call to action. Write asks the
// configured provider for them and then times the parts with the contract's
// reading-speed model (Estimate): ko 200 characters a minute, en 150 words a minute,
// ja 180 and zh 220 characters a minute, plus pauses at punctuation and line breaks.
// Every block lasts at least 3 s and the blocks add up to the target duration ±10 %;
// when the text's natural reading time falls outside that, the blocks are rescaled.
//
// Three providers sit behind one small interface, and only Config.Provider chooses
// among them (an API key in the environment does not):
//
//   - local, the default, needs no network. It writes from phrase banks per language
//     (ko, en, ja, zh), tone and platform, choosing deterministically from a hash of the
//     request, and sizes the body to the duration so the script reads for about the
//     target before any rescaling. Korean professional and serious scripts are turned
//     into the formal 합니다체, the others stay in 해요체.
//   - anthropic calls the Messages API.
//   - openai calls any OpenAI-compatible chat-completions endpoint, including
//     self-hosted model servers.
//
// The hosted providers get a prompt with a length budget per part and their answer is
// parsed tolerantly (headings in four languages, markdown, lists, code fences, text
// around the script); an answer without all three parts is ErrUnusableAnswer, never a
// half script. Each attempt has a timeout; 429, 5xx, timeouts and connection errors are
// retried with exponential backoff and jitter, or after the provider's Retry-After; and
// a circuit breaker fails calls fast while a provider keeps failing. Errors wrap
// ErrUnavailable, ErrTimeout or ErrUnusableAnswer and never carry the API key; a refused
// key, model or request also wraps ErrRefused.
//
// A Chain (OMNIVIBE_WRITER=anthropic,openai,local) writes with the first of several
// writers that can: a timeout, an unavailable provider or an unusable answer moves on to
// the next, a refusal does not; the script names the writer that wrote it and the ones
// skipped, with why.
//
// The package does no caching, storage or quota accounting: that is the caller's.
package writer
