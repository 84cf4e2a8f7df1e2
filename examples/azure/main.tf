# Azure example: the least-privilege network security rules of a 1E platform
# server, its SQL Server and its DMZ server, computed by portmap (./portmap)
# and created with azurerm_network_security_rule. Each NSG ends with a deny
# rule at priority 4096, which portmap never uses: Azure's default rules
# would otherwise allow all traffic inside the virtual network. Priorities
# come from portmap_azure_nsg_priorities (kept in state: no clash, no move).

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 3.0"
    }
  }
}

variable "subscription_id" {
  description = "The Azure subscription."
  type        = string
}

variable "resource_group_name" {
  description = "An existing resource group for the security groups."
  type        = string
  default     = "rg-1e"
}

variable "location" {
  description = "Azure region."
  type        = string
  default     = "westeurope"
}

provider "azurerm" {
  features {}
  subscription_id = var.subscription_id
}

module "portmap" {
  source = "./portmap"

  subscription_id     = var.subscription_id
  resource_group_name = var.resource_group_name
}

resource "azurerm_application_security_group" "node" {
  for_each = toset(module.portmap.azure_nodes)

  name                = "asg-1e-${each.key}"
  location            = var.location
  resource_group_name = var.resource_group_name
}

resource "azurerm_network_security_group" "node" {
  for_each = toset(module.portmap.azure_nodes)

  name                = "nsg-1e-${each.key}"
  location            = var.location
  resource_group_name = var.resource_group_name
}

resource "azurerm_network_security_rule" "this" {
  for_each = module.portmap.rules

  resource_group_name                        = var.resource_group_name
  network_security_group_name                = azurerm_network_security_group.node[each.value.node].name
  name                                       = each.value.name
  priority                                   = module.portmap.priorities[each.key]
  direction                                  = each.value.direction
  access                                     = each.value.access
  protocol                                   = each.value.protocol
  source_port_range                          = each.value.source_port_range
  destination_port_ranges                    = each.value.destination_port_ranges
  source_address_prefix                      = each.value.source_address_prefix
  source_address_prefixes                    = each.value.source_address_prefixes
  source_application_security_group_ids      = each.value.source_application_security_group_ids
  destination_address_prefix                 = each.value.destination_address_prefix
  destination_address_prefixes               = each.value.destination_address_prefixes
  destination_application_security_group_ids = each.value.destination_application_security_group_ids
  description                                = each.value.description

  # The rules name the application security groups by id.
  depends_on = [azurerm_application_security_group.node]
}

resource "azurerm_network_security_rule" "deny_all" {
  for_each = {
    for pair in setproduct(keys(azurerm_network_security_group.node), ["Inbound", "Outbound"]) :
    "${pair[0]}-${lower(pair[1])}" => { node = pair[0], direction = pair[1] }
  }

  resource_group_name         = var.resource_group_name
  network_security_group_name = azurerm_network_security_group.node[each.value.node].name
  name                        = "deny-all-${lower(each.value.direction)}"
  priority                    = 4096
  direction                   = each.value.direction
  access                      = "Deny"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "*"
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
}
