// The host calls the application layer everywhere: its roles, clock, options and audit trail.
global using Reconnect.Workflows.Application;
global using Reconnect.Workflows.Application.Access;
global using Reconnect.Workflows.Application.Audit;
global using Reconnect.Workflows.Application.Checks;
global using Reconnect.Workflows.Application.Time;
global using Reconnect.Workflows.Application.Instances;
global using Reconnect.Workflows.Application.Workflows;
global using Reconnect.Workflows.Application.Definitions;
global using Reconnect.Workflows.Application.Schedules;
