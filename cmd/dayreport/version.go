package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version string

// osLookupEnv is the environment for ${VAR} expansion in the configuration.
var osLookupEnv = os.LookupEnv

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(_ *cobra.Command, _ []string) {
			fmt.Fprintln(g.stdout, "dayreport", buildVersion())
		},
	}
}

// buildVersion is the version: set at build time, else the module's, else "(devel)".
func buildVersion() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); v == "" && ok && info.Main.Version != "" {
		v = info.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
