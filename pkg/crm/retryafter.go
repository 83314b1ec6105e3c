package crm

import "time"

// MaxRetryAfter caps the wait a CRM's Retry-After may ask for (adapters read
// the header with httpkit.RetryAfter).
const MaxRetryAfter = 24 * time.Hour
