package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestURLPasswordWarnsWithoutEchoing(t *testing.T) {
	p := path.Root("chart").AtName("repository")
	d := runString(URLPassword("set chart.username and chart.password_wo instead"), p, types.StringValue("https://u:s3cr3t@charts.corp/x"))
	if len(d) != 1 || d.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", d)
	}
	if detail := d[0].Detail(); strings.Contains(detail, "s3cr3t") || !strings.HasPrefix(detail, "Attribute chart.repository: ") ||
		!strings.Contains(detail, "chart.password_wo") {
		t.Fatalf("detail %q", detail)
	}
	for _, ok := range []string{"https://charts.corp", "git@github.com:org/repo.git", "ssh://git@host/x", "https://user@host/x"} {
		if d := runString(URLPassword("x"), p, types.StringValue(ok)); len(d) != 0 {
			t.Errorf("%s: %v", ok, d)
		}
	}
}

func TestRedactURLPasswords(t *testing.T) {
	in := `looks like "https://user:s3cr3t@charts.corp/x" is not a valid chart repository; also http://a:b@h`
	want := `looks like "https://user:REDACTED@charts.corp/x" is not a valid chart repository; also http://a:REDACTED@h`
	if got := RedactURLPasswords(in); got != want {
		t.Fatalf("got %q", got)
	}
	base := errors.New(in)
	err := WithoutURLPasswords(base)
	if strings.Contains(err.Error(), "s3cr3t") || !errors.Is(err, base) {
		t.Fatalf("WithoutURLPasswords: %v", err)
	}
	if WithoutURLPasswords(nil) != nil {
		t.Fatal("nil must stay nil")
	}
}

func TestURLChecksNeverEchoPasswords(t *testing.T) {
	for _, check := range []func(string) error{CheckHTTPURL, CheckChartRepositoryURL} {
		for _, in := range []string{"ftp://u:s3cr3t@h/x", "https://u:s3cr3t@", "u:s3cr3t@h"} {
			if err := check(in); err == nil || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("%q: %v", in, err)
			}
		}
	}
}
