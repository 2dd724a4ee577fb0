package provider

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// goValue turns a dynamic argument of a provider function into plain Go
// values for internal/exposure: objects and maps become map[string]any,
// lists, sets and tuples []any, numbers float64, and null nil.
func goValue(ctx context.Context, v types.Dynamic) (any, error) {
	if v.IsNull() || v.IsUnderlyingValueNull() {
		return nil, nil
	}
	raw, err := v.UnderlyingValue().ToTerraformValue(ctx)
	if err != nil {
		return nil, err
	}
	return goValueOf(raw)
}

func goValueOf(v tftypes.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsKnown() {
		return nil, fmt.Errorf("the value is not known yet")
	}
	typ := v.Type()
	switch {
	case typ.Is(tftypes.String):
		var s string
		err := v.As(&s)
		return s, err
	case typ.Is(tftypes.Number):
		var n big.Float
		if err := v.As(&n); err != nil {
			return nil, err
		}
		f, _ := n.Float64()
		return f, nil
	case typ.Is(tftypes.Bool):
		var b bool
		err := v.As(&b)
		return b, err
	case typ.Is(tftypes.Object{}), typ.Is(tftypes.Map{}):
		var fields map[string]tftypes.Value
		if err := v.As(&fields); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(fields))
		for name, field := range fields {
			value, err := goValueOf(field)
			if err != nil {
				return nil, err
			}
			out[name] = value
		}
		return out, nil
	case typ.Is(tftypes.List{}), typ.Is(tftypes.Set{}), typ.Is(tftypes.Tuple{}):
		var items []tftypes.Value
		if err := v.As(&items); err != nil {
			return nil, err
		}
		out := make([]any, len(items))
		for i, item := range items {
			value, err := goValueOf(item)
			if err != nil {
				return nil, err
			}
			out[i] = value
		}
		return out, nil
	}
	return nil, fmt.Errorf("values of type %s are not supported", typ)
}
