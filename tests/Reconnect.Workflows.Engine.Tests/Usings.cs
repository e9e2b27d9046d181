global using System.Text.Json.Nodes;
global using Reconnect.Workflows.Engine.Execution;
global using Reconnect.Workflows.Engine.Model;
global using static Reconnect.Workflows.Engine.Tests.TestFlow;
