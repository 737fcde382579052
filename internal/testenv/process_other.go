//go:build !linux

package testenv

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// errNeedsLinux is what every entry point of the test environment returns
// elsewhere than on Linux: the control plane runs as child processes that
// rely on Linux process groups, parent-death signals and flock.
var errNeedsLinux = fmt.Errorf("the test environment needs Linux: it runs etcd, kube-apiserver and Fleet as child "+
	"processes with Linux process groups and parent-death signals, and this is %s/%s. Run the acceptance tests in "+
	"a Linux VM or container; the provider itself builds and runs on macOS and Windows", runtime.GOOS, runtime.GOARCH)

// CheckPlatform returns errNeedsLinux.
func CheckPlatform() error { return errNeedsLinux }

func ownProcessGroup() *syscall.SysProcAttr { return nil }

func signalGroup(int, bool) error { return errNeedsLinux }

func tryLock(*os.File) error { return errNeedsLinux }
