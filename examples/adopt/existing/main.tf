# Today's configuration, written by hand: the security groups of the
# quickstart's servers (../../quickstart, ../../audit/topology.yaml) and
# their rules as a team wrote them over time. show.json is its state as
# `terraform show -json` prints it; ../map.yaml names the node of each group.
#
# `portmap adopt` (see ../portmap/moved.tf) finds 7 of these 11 rules exactly
# as portmap computes them: 6 are moved into portmap's keyed resources and
# kept, and the SQL Browser egress rule, an aws_security_group_rule (a
# resource type moved blocks cannot change), is forgotten and imported by its
# security group rule id. The other 4 must change: SSH from 10.0.0.0/8 and
# the allow-all egress of the clients are not needed, the Switch range
# 4000-4100 and the SQL Browser from the whole app subnet are wider than
# needed. Portmap creates the 3 rules nothing allows exactly.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.30"
    }
  }
}

provider "aws" {
  region = "eu-central-1"
}

variable "vpc_id" {
  description = "The VPC of the Tachyon servers."
  type        = string
  default     = "vpc-0a1b2c3d4e5f60000"
}

resource "aws_security_group" "app" {
  name        = "app"
  description = "Tachyon app server"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "sql" {
  name        = "sql"
  description = "Tachyon SQL Server"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "clients" {
  name        = "clients"
  description = "Tachyon clients"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS from clients"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "10.8.0.0/16"
}

resource "aws_vpc_security_group_ingress_rule" "app_http" {
  security_group_id = aws_security_group.app.id
  description       = "HTTP from clients"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "10.8.0.0/16"
}

resource "aws_vpc_security_group_ingress_rule" "app_switch" {
  security_group_id = aws_security_group.app.id
  description       = "Tachyon Switch"
  ip_protocol       = "tcp"
  from_port         = 4000
  to_port           = 4100
  cidr_ipv4         = "10.8.0.0/16"
}

resource "aws_vpc_security_group_ingress_rule" "app_ssh" {
  security_group_id = aws_security_group.app.id
  description       = "SSH from the admin network"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "10.0.0.0/8"
}

resource "aws_vpc_security_group_egress_rule" "app_to_sql" {
  security_group_id = aws_security_group.app.id
  description       = "SQL Server"
  ip_protocol       = "tcp"
  from_port         = 1433
  to_port           = 1433
  cidr_ipv4         = "10.0.2.10/32"
}

resource "aws_security_group_rule" "app_to_sql_browser" {
  type              = "egress"
  security_group_id = aws_security_group.app.id
  description       = "SQL Browser"
  protocol          = "udp"
  from_port         = 1434
  to_port           = 1434
  cidr_blocks       = ["10.0.2.10/32"]
}

resource "aws_vpc_security_group_ingress_rule" "sql_from_app" {
  security_group_id = aws_security_group.sql.id
  description       = "SQL Server from the app server"
  ip_protocol       = "tcp"
  from_port         = 1433
  to_port           = 1433
  cidr_ipv4         = "10.0.1.10/32"
}

resource "aws_vpc_security_group_ingress_rule" "sql_browser" {
  security_group_id = aws_security_group.sql.id
  description       = "SQL Browser from the app subnet"
  ip_protocol       = "udp"
  from_port         = 1434
  to_port           = 1434
  cidr_ipv4         = "10.0.1.0/24"
}

resource "aws_vpc_security_group_egress_rule" "clients_web" {
  for_each = toset(["80", "443"])

  security_group_id = aws_security_group.clients.id
  description       = "Tachyon web"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = "10.0.1.10/32"
}

resource "aws_vpc_security_group_egress_rule" "clients_all" {
  security_group_id = aws_security_group.clients.id
  description       = "All outbound"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
