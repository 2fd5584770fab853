//go:build !linux

package s3test

import "os/exec"

// setProcAttr does nothing where the kernel cannot tie MinIO's life to the
// test binary's; Stop still kills it after a normal run.
func setProcAttr(cmd *exec.Cmd) {}
