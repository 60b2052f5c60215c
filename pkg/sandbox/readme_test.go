package sandbox_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/sandbox"
)

// The README's test-data tables are what developers read; they must say
// what the sandbox does.
func TestREADMEListsTheTestData(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	row := func(key string, cells ...string) {
		t.Helper()
		re := regexp.MustCompile(`(?m)^\| ` + "`" + regexp.QuoteMeta(key) + "`" + ` \|(.*)\|$`)
		rows := re.FindAllStringSubmatch(readme, -1)
		if rows == nil {
			t.Errorf("README has no table row for %s", key)
			return
		}
		// A card may be in more than one table; one row must say it all.
	rows:
		for _, m := range rows {
			for _, c := range cells {
				if !strings.Contains(m[1], c) {
					continue rows
				}
			}
			return
		}
		t.Errorf("no README row for %s says all of %q", key, cells)
	}
	for _, c := range sandbox.TestCards {
		outcome := "authorised"
		if c.Decline != "" {
			outcome = "`" + string(c.Decline) + "`"
		}
		row(c.Number, outcome)
	}
	for _, c := range sandbox.PointsCards {
		row(c.Number, client.FormatAmount(client.INR(c.Redeemable)))
	}
	for _, m := range sandbox.PayLaterMobiles {
		want := "eligible"
		if !m.Eligible {
			want = "not eligible"
		}
		row(m.Mobile, want)
	}
	if !strings.Contains(readme, "`"+sandbox.OTP+"`") {
		t.Errorf("README does not give the OTP %s", sandbox.OTP)
	}
}
