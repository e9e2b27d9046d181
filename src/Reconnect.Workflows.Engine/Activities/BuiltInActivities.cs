using Reconnect.Workflows.Engine.Activities.Composite;
using Reconnect.Workflows.Engine.Activities.Flow;
using Reconnect.Workflows.Engine.Activities.Primitives;
using Reconnect.Workflows.Engine.Activities.Scheduling;
using Reconnect.Workflows.Engine.Activities.Tasks;

namespace Reconnect.Workflows.Engine.Activities;

public static class BuiltInActivities
{
    public static IEnumerable<IActivity> All() =>
    [
        new StartActivity(), new EndActivity(), new FinishActivity(),
        new FlowDecisionActivity(), new FlowSwitchActivity(), new FlowForkActivity(), new FlowJoinActivity(),
        new SetVariableActivity(), new WriteLineActivity(), new CorrelateActivity(),
        new DelayActivity(), new StartAtActivity(), new TimerActivity(), new CronActivity(),
        new EventActivity(), new PublishEventActivity(), new RunTaskActivity(),
        new CancelActivitiesActivity(),
        new SequenceActivity(), new FlowchartActivity(), new ParallelForEachActivity(), new FlowNodeActivity(), new IfActivity(), new ForEachActivity(),
        new ForActivity(), new WhileActivity(), new ForkActivity(), new SwitchActivity(), new BreakActivity(), new CompleteActivity(),
        new FaultActivity(), new SetNameActivity(), new SetOutputActivity(), new RunJavaScriptActivity(),
        new ExecuteWorkflowActivity(), new DispatchWorkflowActivity(),
        new Http.HttpEndpointActivity(), new Http.WriteHttpResponseActivity(),
        new Http.SendHttpRequestWithActivities(), new Http.SendHttpRequestActivity("Elsa.FlowSendHttpRequest", "HTTP request (flow)"),
        new Email.SendEmailActivity(),
    ];
}
