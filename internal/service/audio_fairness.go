package service

// AudioPriority is the queue priority (1 runs first, 4 last) of a voice-over
// whose account already has `pending` voice-overs queued or running (a
// running one counts: an account whose jobs hold the workers yields to the
// others). The queue (River)
// fetches by priority, then by when a job was scheduled, so an account's
// first voice-over goes ahead of every other account's backlog: with 100
// jobs of one account queued, another account's single job waits only for
// the jobs already running, not for the backlog. The backlog itself keeps
// its order (each account's jobs get non-decreasing priorities) and is not
// starved: only an account's first few jobs go ahead of it.
//
// The thresholds grow so that an account with a moderate queue still goes
// ahead of one with a large queue; MaxQueuedAudioPerAccount (100) bounds
// how much any account can put in the last band.
func AudioPriority(pending int) int {
	switch {
	case pending <= 0:
		return 1
	case pending < 10:
		return 2
	case pending < 50:
		return 3
	default:
		return 4
	}
}
