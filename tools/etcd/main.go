// Command etcd is the etcd server used by the test control plane, built from
// the pinned go.etcd.io/etcd/server module instead of a downloaded release.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
