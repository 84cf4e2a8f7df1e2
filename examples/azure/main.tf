# Azure example: the least-privilege network security rules of a 1E platform
# server, its SQL Server and its DMZ server, computed by portmap (./portmap)
# and created with azurerm_network_security_rule. Each NSG ends with a deny
# rule at priority 4096, which portmap never uses: Azure's default rules
# would otherwise allow all traffic inside the virtual network. That deny
# also overrides the default AllowAzureLoadBalancerInBound (65001), so an
# allow rule for the AzureLoadBalancer service tag at 4095 keeps load
# balancer health probes working. Priorities come from
# portmap_azure_nsg_priorities (kept in state: no clash, no move).
#
# Each node's network interfaces (var.network_interface_ids) get the node's
# network security group and join its application security group, which
# the rules of the other nodes name. A subnet's NSG, if any, applies as
# well: traffic must pass both.

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

variable "network_interface_ids" {
  description = "The network interfaces (resource ids) of each node's servers, by node name (a node of module.portmap.azure_nodes). Each gets the node's network security group, replacing the one it has, and joins the node's application security group. The ids must be known at plan time."
  type        = map(list(string))

  validation {
    condition     = alltrue([for nics in values(var.network_interface_ids) : alltrue([for nic in nics : can(regex("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.Network/networkInterfaces/[^/]+$", nic))])])
    error_message = "Network interface ids are resource ids: /subscriptions/.../resourceGroups/.../providers/Microsoft.Network/networkInterfaces/<name>."
  }
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

# Azure's default AllowAzureLoadBalancerInBound rule (65001) lets the load
# balancer's health probes in; the deny-all rule at 4096 would block them.
resource "azurerm_network_security_rule" "allow_load_balancer" {
  for_each = azurerm_network_security_group.node

  resource_group_name         = var.resource_group_name
  network_security_group_name = each.value.name
  name                        = "allow-azure-load-balancer-inbound"
  priority                    = 4095
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "*"
  source_address_prefix       = "AzureLoadBalancer"
  destination_address_prefix  = "*"
}

locals {
  # Network interface id => node. An interface has one network security
  # group, so listing it under two nodes is an error (duplicate key).
  nic_nodes = {
    for pair in flatten([
      for node, nics in var.network_interface_ids : [for nic in nics : { nic = nic, node = node }]
    ]) : pair.nic => pair.node
  }
}

# A network interface has at most one network security group: the node's.
resource "azurerm_network_interface_security_group_association" "node" {
  for_each = local.nic_nodes

  network_interface_id      = each.key
  network_security_group_id = azurerm_network_security_group.node[each.value].id

  lifecycle {
    precondition {
      condition     = contains(module.portmap.azure_nodes, each.value)
      error_message = "network_interface_ids names a node without a network security group; the nodes with one are module.portmap.azure_nodes."
    }
  }
}

# Membership in the node's application security group, which the other
# nodes' rules name as source or destination.
resource "azurerm_network_interface_application_security_group_association" "node" {
  for_each = local.nic_nodes

  network_interface_id          = each.key
  application_security_group_id = azurerm_application_security_group.node[each.value].id

  lifecycle {
    precondition {
      condition     = contains(module.portmap.azure_nodes, each.value)
      error_message = "network_interface_ids names a node without an application security group; the nodes with one are module.portmap.azure_nodes."
    }
  }
}
