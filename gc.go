package main

import (
	"os"
	"runtime/debug"
)

// The provider's live heap is a few MiB, but a plan or apply allocates
// gigabytes in short-lived values (terraform-plugin-framework copies the
// schema's attribute map at every step of every attribute path it walks).
// With Go's default GOGC=100, the garbage collector ran every few MiB and
// took a fifth of the provider's CPU in a refresh of 1,000 GitRepos. So,
// unless GOGC or GOMEMLIMIT is set: collect at 4 times the live heap, and
// sooner when the heap would pass heapLimit (soft), which bounds the
// provider's memory when many objects are live (a refresh of 10,000).
const (
	gcPercent = 300
	heapLimit = 40 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(heapLimit)
}
