// Command etcd is the etcd server, built from the go.etcd.io/etcd/server/v3
// module so the sandbox needs no prebuilt download.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
