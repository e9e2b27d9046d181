// The UI calls the application layer only: its services, DTOs, roles and clock.
global using Microsoft.AspNetCore.Http;
global using Reconnect.Workflows.Application;
global using Reconnect.Workflows.Application.Access;
global using Reconnect.Workflows.Application.Audit;
global using Reconnect.Workflows.Application.Definitions;
global using Reconnect.Workflows.Application.Instances;
global using Reconnect.Workflows.Application.Schedules;
global using Reconnect.Workflows.Application.Time;
global using Reconnect.Workflows.Application.Workflows;
