package e2e

import (
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel kill a replica when the test binary dies, so a
// panicking or timed-out run leaves no server behind.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
