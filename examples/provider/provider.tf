# Credentials are best left to the environment: ARM_TENANT_ID, ARM_CLIENT_ID
# and ARM_CLIENT_SECRET. Everything here is optional.
provider "defender" {
  tenant_id = "00000000-0000-0000-0000-000000000000"
  client_id = "11111111-1111-1111-1111-111111111111"
  # client_secret comes from ARM_CLIENT_SECRET.

  api_version     = "v1.0"
  max_retries     = 4
  request_timeout = "60s"
}
