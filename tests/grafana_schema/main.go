// Command grafana_schema reads dashboards as Grafana's own schema does: strictly, with
// the types Grafana generates from its dashboard and panel kinds (the Grafana Foundation
// SDK). An unknown field, a wrong type or a missing required field in a dashboard, a
// panel or a Prometheus query is an error, named by its path. A panel's options may
// leave fields out: the schema lists each option as required, but Grafana fills what a
// dashboard omits from the panel plugin's defaults when it loads it.
//
// Usage: go run . DASHBOARD.json...   (exit 1 when any is refused)
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"

	"github.com/grafana/grafana-foundation-sdk/go/barchart"
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/geomap"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/text"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

func main() {
	runtime := cog.NewRuntime()
	// Each panel type's options are read by that type's schema; a type not listed here
	// is refused below rather than read loosely.
	runtime.RegisterPanelcfgVariant(barchart.VariantConfig())
	runtime.RegisterPanelcfgVariant(bargauge.VariantConfig())
	runtime.RegisterPanelcfgVariant(geomap.VariantConfig())
	runtime.RegisterPanelcfgVariant(stat.VariantConfig())
	runtime.RegisterPanelcfgVariant(table.VariantConfig())
	runtime.RegisterPanelcfgVariant(text.VariantConfig())
	runtime.RegisterPanelcfgVariant(timeseries.VariantConfig())
	runtime.RegisterDataqueryVariant(prometheus.VariantConfig())

	refused := 0
	for _, path := range os.Args[1:] {
		if err := check(runtime, path); err != nil {
			fmt.Printf("%s: refused\n%v\n", path, err)
			refused++
		} else {
			fmt.Printf("%s: ok\n", path)
		}
	}
	if refused > 0 {
		os.Exit(1)
	}
}

func check(runtime *cog.Runtime, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := knownPanelTypes(runtime, raw); err != nil {
		return err
	}
	board := dashboard.Dashboard{}
	if err := withoutDefaultedOptions(board.UnmarshalJSONStrict(raw)); err != nil {
		return err
	}
	return board.Validate()
}

// knownPanelTypes refuses a panel whose type has no schema registered: the SDK would
// read its options loosely, and an unchecked panel must not pass as checked.
func knownPanelTypes(runtime *cog.Runtime, raw []byte) error {
	var board struct {
		Panels []struct {
			Type  string `json:"type"`
			Title string `json:"title"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &board); err != nil {
		return err
	}
	for index, panel := range board.Panels {
		if _, known := runtime.ConfigForPanelcfgVariant(panel.Type); !known && panel.Type != "row" {
			return fmt.Errorf("panels[%d] %q: type %q has no schema registered here", index, panel.Title, panel.Type)
		}
	}
	return nil
}

// withoutDefaultedOptions drops "missing" errors for panel options (the plugin's
// defaults apply); every other error stays.
func withoutDefaultedOptions(err error) error {
	var errs cog.BuildErrors
	if !errors.As(err, &errs) {
		return err
	}
	var kept cog.BuildErrors
	for _, one := range errs {
		if one.Message == "required field is missing from input" && optionPath.MatchString(one.Path) {
			continue
		}
		kept = append(kept, one)
	}
	if len(kept) == 0 {
		return nil
	}
	return kept
}

var optionPath = regexp.MustCompile(`^panels\[\d+\]\.options\.`)
