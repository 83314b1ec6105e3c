package crm

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// SetupStep is one thing `dayreport crm setup` did on a CRM, or would do on
// a dry run: create something the adapter needs, or find it already there
// (so that a second run creates nothing).
type SetupStep struct {
	// Create is true for something created (on a dry run: to be created),
	// false for something found.
	Create bool
	// What names it for people: `smart process "Ежедневные отчёты"
	// (entityTypeId 1036)`, `field UF_CRM_3_NEW_CALLS (new_calls)`.
	What string
}

// Text is the step as a line of the setup report.
func (s SetupStep) Text(dryRun bool) string {
	switch {
	case !s.Create:
		return "found " + s.What
	case dryRun:
		return "would create " + s.What
	}
	return "created " + s.What
}

// SetupMetric is a metric of the report template that setup gives a field
// (a user field, a custom field, a property) in the CRM.
type SetupMetric struct {
	Key   string // the metric key, e.g. "new_calls"
	Label string // the field's label in the CRM (default: the key)
}

// SetupPlan is what an adapter's setup is asked to do.
type SetupPlan struct {
	// Name of what setup finds or creates (the list, the custom object),
	// "" for the adapter's default; a later run finds it by this name.
	Name string
	// Metrics to create a field for, in order.
	Metrics []SetupMetric
	// DryRun only looks: nothing is created, the steps say what would be.
	DryRun bool
}

// SetupBlock renders the configuration block setup prints: the crm section
// selecting adapter, with settings (a struct of yaml-tagged plain values,
// no secret) under the adapter's name.
func SetupBlock(adapter string, settings any) string {
	out, err := yaml.Marshal(map[string]any{"crm": map[string]any{"adapter": adapter, adapter: settings}})
	if err != nil {
		panic(fmt.Sprintf("crm: %s setup block does not marshal: %v", adapter, err)) // plain values only
	}
	return string(out)
}
