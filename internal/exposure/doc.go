// Package exposure evaluates an exposure policy over what Defender TI knows
// of a fleet of hosts, as the provider's fleet data sources hold it, and
// compares the loose versions Defender TI reports. It knows nothing of
// Graph or Terraform: the provider's functions hand it plain Go values
// (maps, slices, strings, numbers) decoded from their arguments.
package exposure
