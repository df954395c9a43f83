package speech

import (
	"os/exec"
	"syscall"
)

// backgroundNice is the niceness of the speech engines' processes. They are
// batch work for the job workers; at the default priority, two of them on a
// two-core machine took the CPU from the API's requests (P99 of cheap
// endpoints rose from a few ms to hundreds while voice-overs ran).
const backgroundNice = 10

// RunLowPriority runs cmd like cmd.Run, with the process lowered to
// backgroundNice as soon as it exists. A failure to lower it is not an
// error: the work is the same, only less polite.
func RunLowPriority(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, cmd.Process.Pid, backgroundNice)
	return cmd.Wait()
}
