package crm

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
