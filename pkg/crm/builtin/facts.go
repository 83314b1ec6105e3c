package builtin

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
)

// FactTable is a Table that also keeps facts: what the builtin CRM
// "recorded" per CRM user and day (the state database does).
type FactTable interface {
	Facts(ctx context.Context, user string, d day.Date) (map[string]float64, error)
}

var _ crm.FactReader = (*Adapter)(nil)

// Facts returns the recorded facts of each user for day d; users without any
// are left out. A table that keeps no facts has none.
// The builtin facts are per calendar day already: loc does not matter.
func (a *Adapter) Facts(ctx context.Context, crmUserIDs []string, d day.Date, _ *time.Location) (map[string]crm.Facts, error) {
	ft, ok := a.table.(FactTable)
	if !ok {
		return nil, nil
	}
	out := map[string]crm.Facts{}
	for _, u := range crmUserIDs {
		f, err := ft.Facts(ctx, u, d)
		if err != nil {
			return nil, classify(ctx, err)
		}
		if len(f) > 0 {
			out[u] = f
		}
	}
	return out, nil
}

// Fact is one row of a facts CSV.
type Fact struct {
	Date   day.Date
	User   string
	Metric string
	Value  float64
}

// ReadFacts reads a facts CSV: a header `date,crm_user_id,metric,value`, then
// one fact a row (dates YYYY-MM-DD). Every bad row is reported with its line.
func ReadFacts(path string) ([]Fact, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("builtin facts: %w", err)
	}
	defer func() { _ = f.Close() }()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	r.Comment = '#'
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("builtin facts %s: %w", path, err)
	}
	if strings.Join(head, ",") != "date,crm_user_id,metric,value" {
		return nil, fmt.Errorf("builtin facts %s: the header must be date,crm_user_id,metric,value", path)
	}
	var (
		out  []Fact
		errs []error
	)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d, derr := day.Parse(rec[0])
		v, verr := strconv.ParseFloat(strings.TrimSpace(rec[3]), 64)
		switch {
		case derr != nil:
			errs = append(errs, fmt.Errorf("line %d: date %q: want YYYY-MM-DD", line, rec[0]))
		case verr != nil || v < 0:
			errs = append(errs, fmt.Errorf("line %d: value %q: want a number ≥ 0", line, rec[3]))
		case rec[1] == "" || rec[2] == "":
			errs = append(errs, fmt.Errorf("line %d: crm_user_id and metric are required", line))
		default:
			out = append(out, Fact{Date: d, User: rec[1], Metric: rec[2], Value: v})
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("builtin facts %s: %w", path, errors.Join(errs...))
	}
	return out, nil
}
