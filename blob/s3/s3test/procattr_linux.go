package s3test

import (
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel kill MinIO when the test binary dies, so a
// panicking or timed-out test run leaves no server behind.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
