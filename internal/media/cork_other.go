//go:build !linux

package media

// TCP_CORK is Linux's; elsewhere files are served without it.
const canCork = false

func corkOn(uintptr)  {}
func corkOff(uintptr) {}
