// Command cieaudit audits the security of Italian CIE issuing workstations:
// a keyboard-driven TUI for the on-site checklist, a risk picture computed
// from the answers, report bundles, an SSH jump-host mode and a scriptable CLI.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
