using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Tests.Composite;

/// <summary>Elsa 3's structure and control activities, run from Elsa-shaped JSON on the pure step.</summary>
public class ContainerActivityTests
{
    private static string W(string text) =>
        "{\"type\": \"Elsa.WriteLine\", \"id\": \"" + text.Replace(" ", "") + "\", \"text\": {\"typeName\": \"String\", \"expression\": {\"type\": \"Literal\", \"value\": \"" + text + "\"}}}";

    private static string Js(string script) =>
        "{\"typeName\": \"Object\", \"expression\": {\"type\": \"JavaScript\", \"value\": " + JsonValue.Create(script)!.ToJsonString() + "}}";

    /// <summary>Expands <c>&lt;&lt;W:text&gt;&gt;</c> (a WriteLine) and <c>&lt;&lt;JS:script&gt;&gt;</c> (a JavaScript input) in test JSON.</summary>
    private static string Expand(string json)
    {
        json = System.Text.RegularExpressions.Regex.Replace(json, "<<W:(.*?)>>", m => W(m.Groups[1].Value));
        return System.Text.RegularExpressions.Regex.Replace(json, "<<JS:(.*?)>>", m => Js(m.Groups[1].Value));
    }

    private static TestRun Run(string root, string variables = "[]", JsonObject? input = null)
    {
        var definition = WorkflowJson.Parse("{\"definitionId\": \"t\", \"variables\": " + variables + ", \"root\": " + Expand(root) + "}");
        var validation = new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(definition);
        Assert.True(validation.IsValid, string.Join("; ", validation.Errors));
        var run = new TestRun(definition);
        run.Start(input);
        return run;
    }

    [Fact]
    public void Sequence_AsRoot_RunsChildrenInOrderAndFinishes()
    {
        var run = Run("""{"type": "Elsa.Sequence", "id": "s", "activities": [<<W:a>>, <<W:b>>, <<W:c>>]}""");
        Assert.Equal(["a", "b", "c"], run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
        Assert.Equal("s", run.Executed[^1]);
        Assert.Empty(run.State.Flow.Scopes);
    }

    [Fact]
    public void Sequence_ChildWaits_NextChildRunsOnlyAfterResume()
    {
        var run = Run("""{"type": "Elsa.Sequence", "id": "s", "activities": [<<W:a>>, {"type": "Elsa.Event", "id": "e", "eventName": "Go"}, <<W:b>>]}""");
        Assert.Equal(["a"], run.Lines);
        Assert.Equal(WorkflowStatus.Suspended, run.State.Status);
        Assert.True(run.State.Flow.Scopes.ContainsKey("s"));
        // The state goes through JSON between steps (a restart): the sequence still knows where it is.
        var restored = System.Text.Json.JsonSerializer.Deserialize<WorkflowState>(System.Text.Json.JsonSerializer.Serialize(run.State, WorkflowJson.Compact), WorkflowJson.Compact)!;
        var result = run.Runner.Step(run.Definition, restored, new Stimulus.Resume(restored.Bookmarks.Single().Id, null), run.Now);
        Assert.Equal(["b"], result.Trace.Where(t => t.Kind == TraceKinds.Log).Select(t => t.Detail!["text"]!.GetValue<string>()));
        Assert.Equal(WorkflowStatus.Finished, result.State.Status);
    }

    [Fact]
    public void Sequence_InsideFlowchart_CompletesBeforeTheNextConnectedActivity()
    {
        var run = Run("""
            {"type": "Elsa.Flowchart", "id": "f", "activities": [
              {"type": "Elsa.Sequence", "id": "s", "activities": [<<W:a>>, {"type": "Elsa.Delay", "id": "d", "timeSpan": "00:01:00"}, <<W:b>>]},
              <<W:after>>],
             "connections": [{"source": {"activity": "s", "port": "Done"}, "target": {"activity": "after", "port": "In"}}]}
            """);
        Assert.Equal(["a"], run.Lines);
        run.Now = run.Now.AddMinutes(1);
        run.Resume(run.Bookmark("d"));
        Assert.Equal(["a", "b", "after"], run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Theory]
    [InlineData("true", "yes")]
    [InlineData("false", "no")]
    public void If_Condition_RunsThenOrElse(string condition, string expected)
    {
        var run = Run("""
            {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.If", "id": "if", "condition": <<JS:CONDITION>>, "then": <<W:yes>>, "else": <<W:no>>}, <<W:end>>]}
            """.Replace("CONDITION", condition));
        Assert.Equal([expected, "end"], run.Lines);
    }

    [Fact]
    public void ForEach_Items_RunsBodyPerItemWithCurrentValueAndOutputVariable()
    {
        var run = Run("""
            {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.ForEach", "id": "fe", "items": {"typeName": "Object", "expression": {"type": "Object", "value": "[\"x\", \"y\", \"z\"]"}},
               "currentValue": {"typeName": "Object", "memoryReference": {"id": "v1"}},
               "body": {"type": "Elsa.WriteLine", "id": "w", "text": <<JS:getCurrentIndex() + ':' + getCurrentValue() + ':' + getItem()>>}}]}
            """, """[{"id": "v1", "name": "Item", "typeName": "String"}]""");
        Assert.Equal(["0:x:x", "1:y:y", "2:z:z"], run.Lines);
        Assert.Equal("z", run.State.Variables["Item"]!.GetValue<string>());
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void ForEach_BodyWaits_EachIterationWaitsInTurn()
    {
        var run = Run("""
            {"type": "Elsa.ForEach", "id": "fe", "items": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "[1, 2]"}},
             "body": {"type": "Elsa.Sequence", "id": "b", "activities": [
               {"type": "Elsa.WriteLine", "id": "w", "text": <<JS:'item ' + getCurrentValue()>>}, {"type": "Elsa.Event", "id": "e", "eventName": "Next"}]}}
            """);
        Assert.Equal(["item 1"], run.Lines);
        run.Resume(run.Bookmark("e"));
        Assert.Equal(["item 1", "item 2"], run.Lines);
        Assert.Equal(WorkflowStatus.Suspended, run.State.Status);
        run.Resume(run.Bookmark("e"));
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Theory]
    [InlineData(1, 3, 1, true, "1,2,3")]
    [InlineData(1, 3, 1, false, "1,2")]
    [InlineData(10, 1, -4, true, "10,6,2")]
    [InlineData(5, 1, 1, true, "")]
    public void For_Bounds_CountsAsElsa(int start, int end, int step, bool inclusive, string expected)
    {
        var run = Run("""
            {"type": "Elsa.For", "id": "for", "start": <<start>>, "end": <<end>>, "step": <<step>>, "outerBoundInclusive": <<inclusive>>,
             "body": {"type": "Elsa.WriteLine", "id": "w", "text": <<JS:'' + getCurrentValue()>>}}
            """.Replace("<<start>>", $"{start}").Replace("<<end>>", $"{end}").Replace("<<step>>", $"{step}").Replace("<<inclusive>>", inclusive ? "true" : "false"));
        Assert.Equal(expected, string.Join(",", run.Lines));
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void While_Condition_LoopsUntilFalse()
    {
        var run = Run("""
            {"type": "Elsa.While", "id": "wh", "condition": <<JS:getCounter() < 3>>,
             "body": {"type": "Elsa.Sequence", "id": "b", "activities": [
               {"type": "Elsa.SetVariable", "id": "inc", "variable": {"id": "c", "name": "Counter"}, "value": <<JS:getCounter() + 1>>},
               {"type": "Elsa.WriteLine", "id": "w", "text": <<JS:'round ' + getCounter()>>}]}}
            """, """[{"id": "c", "name": "Counter", "typeName": "Int32", "value": 0}]""");
        Assert.Equal(["round 1", "round 2", "round 3"], run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void Break_InsideWhileTrue_LeavesTheLoopAndCancelsTheRest()
    {
        var run = Run("""
            {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.While", "id": "wh", "condition": <<JS:true>>,
               "body": {"type": "Elsa.Sequence", "id": "b", "activities": [
                 {"type": "Elsa.SetVariable", "id": "inc", "variable": {"id": "c", "name": "Counter"}, "value": <<JS:getCounter() + 1>>},
                 {"type": "Elsa.If", "id": "if", "condition": <<JS:getCounter() == 2>>, "then": {"type": "Elsa.Break", "id": "brk"}},
                 {"type": "Elsa.WriteLine", "id": "w", "text": <<JS:'round ' + getCounter()>>}]}},
              <<W:after>>]}
            """, """[{"id": "c", "name": "Counter", "typeName": "Int32", "value": 0}]""");
        Assert.Equal(["round 1", "after"], run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
        Assert.Empty(run.State.Flow.Scopes);
    }

    [Fact]
    public void Break_InsideForEach_StopsIterating()
    {
        var run = Run("""
            {"type": "Elsa.ForEach", "id": "fe", "items": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "[1, 2, 3, 4]"}},
             "body": {"type": "Elsa.Flowchart", "id": "fc", "activities": [
               {"type": "Elsa.WriteLine", "id": "w", "text": <<JS:'n ' + getCurrentValue()>>},
               {"type": "Elsa.FlowDecision", "id": "d", "condition": <<JS:getCurrentValue() >= 2>>},
               {"type": "Elsa.Break", "id": "brk"}],
              "connections": [
                {"source": {"activity": "w", "port": "Done"}, "target": {"activity": "d", "port": "In"}},
                {"source": {"activity": "d", "port": "True"}, "target": {"activity": "brk", "port": "In"}}]}}
            """);
        Assert.Equal(["n 1", "n 2"], run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void Fork_WaitAll_CompletesWhenEveryBranchHas()
    {
        var run = Run("""
            {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.Fork", "id": "fork", "joinMode": "WaitAll", "branches": [
                {"type": "Elsa.Sequence", "id": "b1", "activities": [<<W:b1 start>>, {"type": "Elsa.Event", "id": "e1", "eventName": "One"}, <<W:b1 end>>]},
                <<W:b2>>]},
              <<W:joined>>]}
            """);
        // Branches start together, breadth first (b2 is a single activity, b1 a sequence that starts one step later).
        Assert.Equal(["b1 start", "b2"], run.Lines.Order());
        run.Resume(run.Bookmark("e1"));
        Assert.Equal(["b1 end", "joined"], run.Lines.Skip(2));
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void Fork_WaitAny_CompletesAtTheFirstBranchAndCancelsTheOthers()
    {
        var run = Run("""
            {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.Fork", "id": "fork", "joinMode": {"typeName": "ForkJoinMode", "expression": {"type": "Literal", "value": "WaitAny"}}, "branches": [
                {"type": "Elsa.Event", "id": "e1", "eventName": "One"},
                {"type": "Elsa.Event", "id": "e2", "eventName": "Two"}]},
              <<W:joined>>]}
            """);
        Assert.Equal(2, run.State.Bookmarks.Count);
        run.Resume(run.Bookmark("e2"));
        Assert.Equal(["joined"], run.Lines);
        Assert.Empty(run.State.Bookmarks);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Theory]
    [InlineData("'b'", "MatchFirst", "case b")]
    [InlineData("'z'", "MatchFirst", "default")]
    [InlineData("'b'", "MatchAny", "case b,case b too")]
    public void Switch_Cases_RunMatchingActivityElseDefault(string value, string mode, string expected)
    {
        var run = Run("""
            {"type": "Elsa.Switch", "id": "sw", "mode": "<<mode>>", "cases": [
              {"label": "A", "condition": {"type": "JavaScript", "value": "<<value>> == 'a'"}, "activity": <<W:case a>>},
              {"label": "B", "condition": {"type": "JavaScript", "value": "<<value>> == 'b'"}, "activity": <<W:case b>>},
              {"label": "B2", "condition": {"type": "JavaScript", "value": "<<value>> == 'b'"}, "activity": <<W:case b too>>}],
             "default": <<W:default>>}
            """.Replace("<<mode>>", mode).Replace("<<value>>", value));
        Assert.Equal(expected, string.Join(",", run.Lines));
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void FlowNode_Body_RunsBeforeTheNextConnectedActivity()
    {
        var run = Run("""
            {"type": "Elsa.Flowchart", "id": "f", "activities": [
              {"type": "Elsa.FlowNode", "id": "n", "body": <<W:inside>>}, <<W:next>>],
             "connections": [{"source": {"activity": "n", "port": "Done"}, "target": {"activity": "next", "port": "In"}}]}
            """);
        Assert.Equal(["inside", "next"], run.Lines);
    }

    [Fact]
    public void Complete_InNestedFlowchart_CompletesItWithTheOutcomeAsItsPort()
    {
        var run = Run("""
            {"type": "Elsa.Flowchart", "id": "outer", "activities": [
              {"type": "Elsa.Flowchart", "id": "inner", "activities": [
                 <<W:in>>, {"type": "Elsa.Complete", "id": "c", "outcomes": {"typeName": "Object", "expression": {"type": "Object", "value": "[\"Approved\"]"}}},
                 {"type": "Elsa.Event", "id": "never", "eventName": "Never"}],
               "connections": [
                 {"source": {"activity": "in", "port": "Done"}, "target": {"activity": "c", "port": "In"}},
                 {"source": {"activity": "in", "port": "Done"}, "target": {"activity": "never", "port": "In"}}]},
              <<W:approved>>, <<W:done>>],
             "connections": [
               {"source": {"activity": "inner", "port": "Approved"}, "target": {"activity": "approved", "port": "In"}},
               {"source": {"activity": "inner", "port": "Done"}, "target": {"activity": "done", "port": "In"}}]}
            """);
        Assert.Equal(["in", "approved"], run.Lines);
        Assert.Empty(run.State.Bookmarks);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void Complete_AtTopLevel_FinishesTheWorkflowWithItsOutcomes()
    {
        var run = Run("""
            {"type": "Elsa.Flowchart", "id": "f", "activities": [
              {"type": "Elsa.Start", "id": "start"}, {"type": "Elsa.Event", "id": "wait", "eventName": "W"}, {"type": "Elsa.Complete", "id": "c", "outcomes": "Rejected"}],
             "connections": [
               {"source": {"activity": "start", "port": "Done"}, "target": {"activity": "wait", "port": "In"}},
               {"source": {"activity": "start", "port": "Done"}, "target": {"activity": "c", "port": "In"}}]}
            """);
        Assert.Empty(run.State.Bookmarks);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
        Assert.Equal("Rejected", run.State.Output["outcomes"]![0]!.GetValue<string>());
    }

    [Fact]
    public void End_InNestedFlowchart_EndsOnlyThatFlowchart()
    {
        var run = Run("""
            {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.Flowchart", "id": "inner", "activities": [
                 {"type": "Elsa.Start", "id": "start"}, {"type": "Elsa.Event", "id": "wait", "eventName": "W"}, {"type": "Elsa.End", "id": "end"}],
               "connections": [
                 {"source": {"activity": "start", "port": "Done"}, "target": {"activity": "wait", "port": "In"}},
                 {"source": {"activity": "start", "port": "Done"}, "target": {"activity": "end", "port": "In"}}]},
              <<W:after>>]}
            """);
        Assert.Equal(["after"], run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }

    [Fact]
    public void Fault_Inputs_FaultTheInstanceWithAnIncident()
    {
        var run = Run("""
            {"type": "Elsa.Sequence", "id": "s", "activities": [<<W:a>>,
              {"type": "Elsa.Fault", "id": "f", "code": "E42", "category": "Business", "message": "No consent"}, <<W:b>>]}
            """);
        Assert.Equal(["a"], run.Lines);
        Assert.Equal(WorkflowStatus.Faulted, run.State.Status);
        var incident = Assert.Single(run.State.Incidents);
        Assert.Equal("f", incident.ActivityId);
        Assert.Contains("No consent", incident.Message);
        Assert.Contains("E42", incident.Message);
    }

    [Fact]
    public void SetNameAndSetOutput_SetTheInstanceNameAndWorkflowOutput()
    {
        var run = Run("""
            {"type": "Elsa.Sequence", "id": "s", "activities": [
              {"type": "Elsa.SetName", "id": "n", "value": <<JS:'Case ' + getInput('ref')>>},
              {"type": "Elsa.SetOutput", "id": "o", "outputName": "Total", "outputValue": <<JS:40 + 2>>}]}
            """, input: new JsonObject { ["ref"] = "R7" });
        Assert.Equal("Case R7", run.State.Name);
        Assert.Equal(42, run.State.Output["Total"]!.GetValue<long>());
    }

    [Fact]
    public void RunJavaScript_SetOutcome_ChoosesThePortAndResultGoesToVariable()
    {
        var run = Run("""
            {"type": "Elsa.Flowchart", "id": "f", "activities": [
              {"type": "Elsa.RunJavaScript", "id": "js", "possibleOutcomes": ["Big", "Small"],
               "script": {"typeName": "String", "expression": {"type": "Literal", "value": "var n = getInput('n'); setOutcome(n > 10 ? 'Big' : 'Small'); return n * 2;"}},
               "result": {"typeName": "Object", "memoryReference": {"id": "r"}}},
              <<W:big>>, <<W:small>>],
             "connections": [
               {"source": {"activity": "js", "port": "Big"}, "target": {"activity": "big", "port": "In"}},
               {"source": {"activity": "js", "port": "Small"}, "target": {"activity": "small", "port": "In"}}]}
            """, """[{"id": "r", "name": "Result", "typeName": "Object"}]""", new JsonObject { ["n"] = 21 });
        Assert.Equal(["big"], run.Lines);
        Assert.Equal(42, run.State.Variables["Result"]!.GetValue<long>());
    }

    [Fact]
    public void RunJavaScript_ScriptThatDoesNotParse_IsRejectedOnValidation()
    {
        var d = WorkflowJson.Parse("""{"definitionId": "t", "root": {"type": "Elsa.RunJavaScript", "id": "js", "script": "return ((;"}}""");
        var errors = new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(d).Errors;
        Assert.Contains(errors, e => e.ActivityId == "js" && e.Message.StartsWith("script:"));
    }
}

/// <summary><c>Elsa.ParallelForEach</c>: iterations side by side, each with its own frame.</summary>
public class ParallelForEachTests
{
    private static TestRun Run(string root)
    {
        var definition = WorkflowJson.Parse("{\"definitionId\": \"t\", \"root\": " + root + "}");
        var validation = new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(definition);
        Assert.True(validation.IsValid, string.Join("; ", validation.Errors));
        var run = new TestRun(definition);
        run.Start();
        return run;
    }

    private const string Body = """
        {"type": "Elsa.ParallelForEach", "id": "pfe", "items": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "['a', 'b', 'c']"}},
         "body": {"type": "Elsa.Sequence", "id": "seq", "activities": [
           {"type": "Elsa.WriteLine", "id": "w1", "text": {"typeName": "String", "expression": {"type": "JavaScript", "value": "'start ' + getCurrentValue() + getCurrentIndex()"}}},
           {"type": "Elsa.Event", "id": "e", "eventName": "Next"},
           {"type": "Elsa.WriteLine", "id": "w2", "text": {"typeName": "String", "expression": {"type": "JavaScript", "value": "'end ' + getCurrentValue()"}}}]}}
        """;

    [Fact]
    public void ParallelForEach_BodyWaits_AllIterationsWaitAtOnceEachWithItsValue()
    {
        var run = Run("{\"type\": \"Elsa.Sequence\", \"id\": \"s\", \"activities\": [" + Body + ", {\"type\": \"Elsa.WriteLine\", \"id\": \"after\", \"text\": \"after\"}]}");

        Assert.Equal(["start a0", "start b1", "start c2"], run.Lines);
        Assert.Equal(3, run.State.Bookmarks.Count);
        Assert.All(run.State.Bookmarks, b => Assert.Equal("e", b.ActivityId));

        // Resume the second iteration first: it ends with its own value, the others still wait.
        var bookmarks = run.State.Bookmarks.ToList();
        run.Resume(bookmarks[1]);
        Assert.Equal("end b", run.Lines[^1]);
        Assert.Equal(WorkflowStatus.Suspended, run.State.Status);
        run.Resume(bookmarks[0]);
        // Across a restart (the state through JSON) the last iteration still knows its value.
        var restored = System.Text.Json.JsonSerializer.Deserialize<WorkflowState>(System.Text.Json.JsonSerializer.Serialize(run.State, WorkflowJson.Compact), WorkflowJson.Compact)!;
        var last = run.Runner.Step(run.Definition, restored, new Stimulus.Resume(bookmarks[2].Id, null), run.Now);

        var lines = last.State.Journal.Where(j => j.Kind == TraceKinds.Log).Select(j => j.Detail!["text"]!.GetValue<string>()).ToList();
        Assert.Equal(["end b", "end a", "end c", "after"], lines.Skip(3));
        Assert.Equal(WorkflowStatus.Finished, last.State.Status);
        Assert.Empty(last.State.Flow.Scopes);
    }

    [Fact]
    public void ParallelForEach_NoItems_CompletesAtOnce()
    {
        var run = Run("""
            {"type": "Elsa.ParallelForEach", "id": "pfe", "items": {"typeName": "Object", "expression": {"type": "JavaScript", "value": "[]"}},
             "body": {"type": "Elsa.WriteLine", "id": "w", "text": "never"}}
            """);
        Assert.Empty(run.Lines);
        Assert.Equal(WorkflowStatus.Finished, run.State.Status);
    }
}
