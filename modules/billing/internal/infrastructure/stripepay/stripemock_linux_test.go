package stripepay_test

import "syscall"

// childAttr has the kernel kill stripe-mock if the test binary dies without
// stopping it (a panic, a -timeout).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
