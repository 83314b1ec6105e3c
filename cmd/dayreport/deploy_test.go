package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/dayreport/dayreport/pkg/config"
)

// TestKubernetesFiles keeps the Kubernetes example deployable: the
// configuration in its ConfigMap loads (with its secrets in the
// environment), listens on the pod's interfaces and writes a summary; the
// image names a registry and a tag with a pull policy.
func TestKubernetesFiles(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../deploy/kubernetes/configmap.yaml")
	require.NoError(t, err)
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	require.NoError(t, yaml.Unmarshal(data, &cm))
	secrets := map[string]string{"DAYREPORT_PG_DSN": "postgres://u:p@db:5432/d", "BITRIX24_WEBHOOK_URL": "https://b24.example.ru/rest/1/abc/",
		"TELEGRAM_BOT_TOKEN": "1:x"}
	cfg, err := config.Parse([]byte(cm.Data["dayreport.yaml"]), "configmap.yaml", "/etc/dayreport",
		func(k string) (string, bool) { v, ok := secrets[k]; return v, ok })
	require.NoError(t, err)
	require.Equal(t, "0.0.0.0:9380", cfg.HTTP.Listen, "reachable by the probes")
	require.NotEmpty(t, cfg.Summary.Spreadsheet, "the manager gets a summary")

	deployment, err := os.ReadFile("../../deploy/kubernetes/deployment.yaml")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^\s+image: [a-z0-9.-]+\.[a-z]+/\S+:\d[\w.]*$`, string(deployment), "a registry and a release tag")
	require.Regexp(t, `(?m)^\s+imagePullPolicy: (IfNotPresent|Always)`, string(deployment))

	dockerfile, err := os.ReadFile("../../deploy/Dockerfile")
	require.NoError(t, err)
	require.Contains(t, string(dockerfile), "DAYREPORT_HTTP_LISTEN=0.0.0.0:9380", "the container listens on its interfaces")
}
