package validate

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// FuzzChecks feeds arbitrary strings to every Check* function, to
// MissingNoProxyDefaults and to every framework validator; none may panic.
func FuzzChecks(f *testing.F) {
	for _, s := range []string{
		"", "0", "1d", "1.5h30m", "-5s", "µs", "10μs", "99999999999999999999999h",
		"my-app", "example.com/key", "In", "git@github.com:org/repo.git", "https://[::1]:80/x",
		"ssh://git@host:22/x", "git@[::1]:x", "[", "]", "@:", "://", "a@b@c:d",
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "-----BEGIN ",
		"http://u:p@proxy:3128/", "*,.svc,10.0.0.0/8,[::1]:80,::1,*.x", ",,", "[::1",
		"ghcr.io/org/app:v1@sha256:abc", "localhost:5000", "{\"a\":1}", "[]", "\xff\xfe",
	} {
		f.Add(s)
	}
	checks := []func(string) error{
		CheckResourceName, CheckNamespaceName, CheckLabelKey, CheckLabelValue, CheckAnnotationKey,
		CheckEnvVarName, CheckSelectorOperator, CheckGitURL, CheckFleetDuration, CheckFleetTTL,
		CheckPEM, CheckPEMCertificates, CheckProxyURL, CheckNoProxy, CheckRegistryServer,
		CheckImageReference, CheckJSONObject, CheckRegexp, CheckVersionConstraint, CheckHTTPURL,
		CheckChartRepositoryURL, CheckIntOrPercent, CheckRolloutCount, CheckJSONPointer, CheckAPIVersion,
	}
	p := path.Root("attr")
	f.Fuzz(func(t *testing.T, s string) {
		for _, check := range checks {
			_ = check(s)
		}
		_ = MissingNoProxyDefaults(s)
		_ = RedactURLPasswords(s)
		_ = CheckAnnotationsSize(map[string]string{s: s})
		for _, tc := range stringValidators {
			runString(tc.v, p, types.StringValue(s))
		}
		runString(NoProxyDefaults(), p, types.StringValue(s))
		m := types.MapValueMust(types.StringType, map[string]attr.Value{s: types.StringValue(s)})
		for _, v := range []validator.Map{LabelMap(), AnnotationMap(), EnvVarName()} {
			_ = runMap(v, p, m)
		}
	})
}
