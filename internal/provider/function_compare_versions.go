package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/defender-ti/terraform-provider-defender/internal/exposure"
)

var _ function.Function = compareVersionsFunction{}

// NewCompareVersionsFunction returns provider::defender::compare_versions.
func NewCompareVersionsFunction() function.Function { return compareVersionsFunction{} }

type compareVersionsFunction struct{}

func (compareVersionsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "compare_versions"
}

func (compareVersionsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Compares two software versions as Defender TI reports them.",
		MarkdownDescription: "Returns `-1`, `0` or `1` as `a` is before, equal to or after `b`, for the loose versions Defender TI reports " +
			"(`1.18.0`, `8.9p1`, `2.4.57`, `10.0`, `1.1.1w`, `3.0.0-rc1`). The versions are compared run by run, a run being digits or letters: " +
			"digits as numbers (`2.4.57` is after `2.4.9`), a missing number as zero (`10` equals `10.0`), letters after the numbers as a later " +
			"patch level (`8.9p1` is after `8.9`) except the pre-release words `alpha`, `beta`, `pre`, `preview`, `rc` and `dev`, which come " +
			"before the release (`3.0.0-rc1` is before `3.0.0`). Letters compare case-insensitively and a leading `v` is ignored. " +
			"The function works offline and needs no credentials.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "a", MarkdownDescription: "The first version."},
			function.StringParameter{Name: "b", MarkdownDescription: "The second version."},
		},
		Return: function.Int64Return{},
	}
}

func (compareVersionsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var a, b string
	resp.Error = req.Arguments.Get(ctx, &a, &b)
	if resp.Error != nil {
		return
	}
	resp.Error = resp.Result.Set(ctx, int64(exposure.CompareVersions(a, b)))
}
