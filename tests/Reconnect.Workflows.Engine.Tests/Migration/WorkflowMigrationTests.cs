using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Migration;
using Reconnect.Workflows.Engine.Model;
using static Reconnect.Workflows.Engine.Tests.TestFlow;

namespace Reconnect.Workflows.Engine.Tests.Migration;

public sealed class WorkflowMigrationTests
{
    private static readonly WorkflowRunner Runner = new();

    /// <summary>A first line, then a timer at release + FollowUpDays, then a task, then a last line.</summary>
    private static WorkflowDefinition FollowUp(int version, int followUpDays, string taskId = "task", string taskName = "Call them")
    {
        var definition = new TestFlow()
            .Variable("ReleaseDate", "String", JsonValue.Create("2027-03-01"))
            .Variable("FollowUpDays", "Int32", JsonValue.Create(followUpDays))
            .WriteLine("first", "first")
            .Add("timer", "Elsa.StartAt", ("dateTime", Js("addDays(variables.ReleaseDate, variables.FollowUpDays)")))
            .Add(taskId, "Elsa.RunTask", ("taskName", Lit(taskName)))
            .WriteLine("last", "last")
            .Chain("first", "timer", taskId, "last")
            .Build();
        definition.Version = version;
        definition.Id = $"test:v{version}";
        return definition;
    }

    private static MigrationMapping Map(Dictionary<string, string>? activities = null, Dictionary<string, VariableChoice>? variables = null) =>
        new(activities ?? [], variables ?? []);

    [Fact]
    public void Apply_TimerWithNewDefault_DueFollowsNewVersionsDefault()
    {
        var v1 = Runner.Compile(FollowUp(1, 7));
        var v2 = Runner.Compile(FollowUp(2, 10));
        var run = new TestRun(v1.Definition, Runner);
        run.Start();
        Assert.Equal(new DateTimeOffset(2027, 3, 8, 0, 0, 0, TimeSpan.Zero), run.Bookmark("timer").DueAt);

        var migrated = WorkflowMigration.Apply(Runner, v1, v2, run.State, Map(variables: new() { ["FollowUpDays"] = VariableChoice.New }), run.Now);

        Assert.True(migrated.Applied, migrated.Message);
        Assert.Equal(2, migrated.State.DefinitionVersion);
        Assert.Equal("test:v2", migrated.State.DefinitionVersionId);
        Assert.Equal(10, migrated.State.Variables["FollowUpDays"]!.GetValue<long>());
        Assert.Equal(new DateTimeOffset(2027, 3, 11, 0, 0, 0, TimeSpan.Zero), migrated.State.Bookmarks.Single().DueAt);
        Assert.Single(migrated.BookmarksRemoved);
        Assert.Single(migrated.BookmarksAdded);
        Assert.Equal(run.State.Version + 1, migrated.State.Version);
        var line = Assert.Single(migrated.Trace, t => t.Kind == TraceKinds.Migrated);
        Assert.Equal(1, line.Detail!["from"]!.GetValue<int>());
        Assert.Equal(2, line.Detail!["to"]!.GetValue<int>());
    }

    [Fact]
    public void Apply_VariableKept_TimerStays()
    {
        var v1 = Runner.Compile(FollowUp(1, 7));
        var v2 = Runner.Compile(FollowUp(2, 10));
        var run = new TestRun(v1.Definition, Runner);
        run.Start();

        var migrated = WorkflowMigration.Apply(Runner, v1, v2, run.State, MigrationMapping.ById, run.Now);

        Assert.True(migrated.Applied);
        Assert.Equal(7, migrated.State.Variables["FollowUpDays"]!.GetValue<long>());
        Assert.Equal(run.Bookmark("timer").DueAt, migrated.State.Bookmarks.Single().DueAt);
        Assert.Empty(migrated.BookmarksAdded);
    }

    [Fact]
    public void Apply_NewButValueChangedFromDefault_ValueKept()
    {
        var v1 = Runner.Compile(FollowUp(1, 7));
        var v2 = Runner.Compile(FollowUp(2, 10));
        var run = new TestRun(v1.Definition, Runner);
        run.Start();
        run.Apply(new Stimulus.SetVariables(new JsonObject { ["FollowUpDays"] = 5 }));

        var migrated = WorkflowMigration.Apply(Runner, v1, v2, run.State, Map(variables: new() { ["FollowUpDays"] = VariableChoice.New }), run.Now);

        Assert.Equal(5, migrated.State.Variables["FollowUpDays"]!.GetValue<long>());
    }

    [Fact]
    public void Apply_TaskMappedToRenamedActivity_KeepsTaskIdTakesNewTitleAndNothingRunsTwice()
    {
        var v1 = Runner.Compile(FollowUp(1, 7));
        var v2 = Runner.Compile(FollowUp(2, 7, taskId: "callTask", taskName: "Phone the person"));
        var run = new TestRun(v1.Definition, Runner);
        run.Start();
        run.Resume(run.Bookmark("timer"));
        var task = run.Bookmark("task");

        var migrated = WorkflowMigration.Apply(Runner, v1, v2, run.State, Map(new() { ["task"] = "callTask" }), run.Now);

        Assert.True(migrated.Applied, migrated.Message);
        var moved = migrated.State.Bookmarks.Single();
        Assert.Equal(task.Id, moved.Id);
        Assert.Equal(task.TaskId, moved.TaskId);
        Assert.Equal("callTask", moved.ActivityId);
        Assert.Equal("Phone the person", moved.Payload!["title"]!.GetValue<string>());
        var effect = Assert.IsType<MigrateTaskEffect>(Assert.Single(migrated.Effects));
        Assert.Equal(task.TaskId, effect.TaskId);
        Assert.Equal("Phone the person", effect.Title);
        Assert.Equal(1, migrated.State.Flow.ExecutionCounts["first"]);

        // Resumed on v2: the task's outcome leads on; the first line and the timer never run again.
        var after = Runner.Step(v2, migrated.State, new Stimulus.Resume(moved.Id, null), run.Now);
        Assert.True(after.Applied, after.Message);
        Assert.Equal(WorkflowStatus.Finished, after.State.Status);
        var lines = after.State.Journal.Where(j => j.Kind == TraceKinds.Log).Select(j => j.Detail!["text"]!.GetValue<string>()).ToList();
        Assert.Equal(["first", "last"], lines);
        Assert.Single(after.State.Journal, j => j.Kind == TraceKinds.ActivityExecuted && j.ActivityId == "timer");
    }

    [Fact]
    public void Plan_WaitingActivityMissingInNewVersion_IsUnmappedAndApplyRefuses()
    {
        var v1 = Runner.Compile(FollowUp(1, 7));
        var v2 = Runner.Compile(FollowUp(2, 7, taskId: "callTask"));
        var waiting = new Dictionary<string, int> { ["task"] = 3, ["timer"] = 2 };

        var plan = WorkflowMigration.Plan(v1, v2, waiting, MigrationMapping.ById);

        Assert.False(plan.CanMigrate);
        Assert.Equal(["task"], plan.Unmapped);
        Assert.Contains("no counterpart", plan.Problems["task"]);
        Assert.Equal("timer", plan.WaitingAt.Single(w => w.ActivityId == "timer").MappedTo);
        Assert.Null(plan.WaitingAt.Single(w => w.ActivityId == "task").MappedTo);
        Assert.True(WorkflowMigration.Plan(v1, v2, waiting, Map(new() { ["task"] = "callTask" })).CanMigrate);

        var run = new TestRun(v1.Definition, Runner);
        run.Start();
        run.Resume(run.Bookmark("timer"));
        var refused = WorkflowMigration.Apply(Runner, v1, v2, run.State, MigrationMapping.ById, run.Now);
        Assert.Equal(StepOutcome.NotApplicable, refused.Outcome);
        Assert.Same(run.State, refused.State);
    }

    [Fact]
    public void Plan_MappedToActivityOfAnotherType_IsUnmapped()
    {
        var v1 = Runner.Compile(FollowUp(1, 7));
        var v2 = Runner.Compile(FollowUp(2, 7));

        var plan = WorkflowMigration.Plan(v1, v2, new Dictionary<string, int> { ["timer"] = 1 }, Map(new() { ["timer"] = "task" }));

        Assert.Equal(["timer"], plan.Unmapped);
        Assert.Contains("of its own type", plan.Problems["timer"]);
    }

    [Fact]
    public void VariableChanges_DefaultDiffers_ListedWithChoice()
    {
        var v1 = Runner.Compile(FollowUp(1, 7));
        var v2 = Runner.Compile(FollowUp(2, 10));

        var changes = WorkflowMigration.VariableChanges(v1, v2, Map(variables: new() { ["FollowUpDays"] = VariableChoice.New }));

        var change = Assert.Single(changes);
        Assert.Equal("FollowUpDays", change.Name);
        Assert.Equal(7, change.From!.GetValue<long>());
        Assert.Equal(10, change.To!.GetValue<long>());
        Assert.Equal(VariableChoice.New, change.Default);
        Assert.Equal(VariableChoice.Keep, WorkflowMigration.VariableChanges(v1, v2, MigrationMapping.ById).Single().Default);
    }

    [Fact]
    public void Apply_InstanceOnAnotherVersion_Refused()
    {
        var v1 = Runner.Compile(FollowUp(1, 7));
        var v2 = Runner.Compile(FollowUp(2, 10));
        var run = new TestRun(v2.Definition, Runner);
        run.Start();

        Assert.Equal(StepOutcome.NotApplicable, WorkflowMigration.Apply(Runner, v1, v2, run.State, MigrationMapping.ById, run.Now).Outcome);
    }

    private static CompiledWorkflow Waiting(int version, string eventName)
    {
        var definition = new TestFlow()
            .WriteLine("first", "first")
            .Add("wait", "Elsa.Event", ("eventName", Lit(eventName)))
            .WriteLine("last", "last")
            .Chain("first", "wait", "last")
            .Build();
        definition.Version = version;
        definition.Id = $"test:v{version}";
        return Runner.Compile(definition);
    }

    [Fact]
    public void Apply_EventRenamedInNewVersion_BookmarkWaitsForTheNewName()
    {
        var v1 = Waiting(1, "release-confirmed");
        var v2 = Waiting(2, "release-date-confirmed");
        var run = new TestRun(v1.Definition, Runner);
        run.Start();
        var before = run.Bookmark("wait");
        Assert.Equal(BookmarkKey.Compute(StimulusNames.Event, "release-confirmed"), before.Hash);

        var migrated = WorkflowMigration.Apply(Runner, v1, v2, run.State, MigrationMapping.ById, run.Now);

        Assert.True(migrated.Applied, migrated.Message);
        var moved = migrated.State.Bookmarks.Single();
        Assert.Equal(before.Id, moved.Id);
        Assert.Equal(BookmarkKey.Compute(StimulusNames.Event, "release-date-confirmed"), moved.Hash);
        Assert.Equal("release-date-confirmed", moved.Payload!["eventName"]!.GetValue<string>());
        // The row is rewritten (removed and added under its id), so the store's lookup by hash finds the new name.
        Assert.Equal(before.Id, Assert.Single(migrated.BookmarksRemoved).Id);
        Assert.Equal(moved.Hash, Assert.Single(migrated.BookmarksAdded).Hash);
        var after = Runner.Step(v2, migrated.State, new Stimulus.Resume(moved.Id, null), run.Now);
        Assert.Equal(WorkflowStatus.Finished, after.State.Status);
    }

    [Fact]
    public void Apply_EventNameUnchanged_BookmarkRowLeftAlone()
    {
        var v1 = Waiting(1, "release-confirmed");
        var v2 = Waiting(2, "release-confirmed");
        var run = new TestRun(v1.Definition, Runner);
        run.Start();

        var migrated = WorkflowMigration.Apply(Runner, v1, v2, run.State, MigrationMapping.ById, run.Now);

        Assert.True(migrated.Applied, migrated.Message);
        Assert.Empty(migrated.BookmarksAdded);
        Assert.Empty(migrated.BookmarksRemoved);
    }
}
