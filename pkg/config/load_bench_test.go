package config

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParse10000 parses a configuration of 10 000 employees, as every
// `dayreport sync` does before its pass (the quiet poll's largest cost
// after the stats).
//
//	go test ./pkg/config -run '^$' -bench Parse10000 -benchmem
func BenchmarkParse10000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("company: {timezone: Europe/Moscow}\nsource: {kind: local}\nlocal: {dir: /srv/reports}\nstate: {path: /srv/state.db}\nsummary: {xlsx: /srv/summary.xlsx}\nemployees:\n")
	for i := range 10000 {
		fmt.Fprintf(&sb, "  - {id: e%05d, name: Сотрудник %d, crm_user_id: \"%d\"}\n", i, i, 1000+i)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "dayreport.yaml", "/srv", nil); err != nil {
			b.Fatal(err)
		}
	}
}
