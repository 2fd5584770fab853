//go:build !linux

package e2e

import "os/exec"

// setProcAttr does nothing where the kernel cannot tie a replica's life to
// the test binary's; the tests' cleanup still kills it after a normal run.
func setProcAttr(cmd *exec.Cmd) {}
