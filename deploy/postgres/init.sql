-- One database per service: services never read each other's data.
CREATE DATABASE botilbud_intake;
CREATE DATABASE botilbud_placement;
CREATE DATABASE botilbud_billing;
CREATE DATABASE botilbud_stats;
