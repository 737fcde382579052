package main

import (
	"os"
	"testing"
)

// TestSkipDroppedLogs: the provider logs nothing Terraform would drop, and
// everything it shows (TF_LOG or TF_LOG_PROVIDER set).
func TestSkipDroppedLogs(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{name: "Terraform logs nothing", env: map[string]string{},
			want: map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER_FLEET": "OFF"}},
		{name: "TF_LOG=off", env: map[string]string{"TF_LOG": "off"},
			want: map[string]string{"TF_LOG_SDK_FRAMEWORK": "OFF"}},
		{name: "a level set for one logger is kept", env: map[string]string{"TF_LOG_SDK_PROTO": "DEBUG"},
			want: map[string]string{"TF_LOG_SDK_PROTO": "DEBUG", "TF_LOG_SDK": "OFF"}},
		{name: "TF_LOG=trace", env: map[string]string{"TF_LOG": "trace"},
			want: map[string]string{"TF_LOG_SDK": "", "TF_LOG_SDK_FRAMEWORK": "", "TF_LOG_PROVIDER_FLEET": ""}},
		{name: "TF_LOG_PROVIDER=debug", env: map[string]string{"TF_LOG_PROVIDER": "debug"},
			want: map[string]string{"TF_LOG_SDK": "", "TF_LOG_PROVIDER_FLEET": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, name := range append(terraformLogLevels, pluginLogLevels...) {
				t.Setenv(name, tc.env[name])
			}
			skipDroppedLogs()
			for name, want := range tc.want {
				if got := os.Getenv(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}
