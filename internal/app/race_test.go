//go:build race

package app_test

// raceEnabled: the tests run with the race detector, and so do the
// processes they start.
const raceEnabled = true
