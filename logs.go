package main

import (
	"os"
	"strings"
)

// The SDK (terraform-plugin-go, -framework) and tflog log at TRACE level
// unless told otherwise, and Terraform drops what a provider logs unless
// TF_LOG_PROVIDER or TF_LOG asks for it. Making every one of those lines
// (JSON on stderr, which Terraform parses before dropping it) took a fifth
// of the provider's CPU time in a refresh and an apply.
var (
	// terraformLogLevels are what Terraform shows provider logs by.
	terraformLogLevels = []string{"TF_LOG_PROVIDER", "TF_LOG"}
	// pluginLogLevels are the levels of the provider's own loggers.
	pluginLogLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_FLEET"}
)

// skipDroppedLogs turns the provider's loggers off when Terraform drops
// their lines; a level set for one of them is kept.
func skipDroppedLogs() {
	for _, name := range terraformLogLevels {
		if level := strings.ToUpper(os.Getenv(name)); level != "" && level != "OFF" {
			return
		}
	}
	for _, name := range pluginLogLevels {
		if os.Getenv(name) == "" {
			_ = os.Setenv(name, "OFF")
		}
	}
}
