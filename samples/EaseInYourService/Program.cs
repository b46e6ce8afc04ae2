using Ease.AspNetCore;

// A web app of its own that adds Ease: the model path and the limits come from the configuration
// (appsettings.json, or Ease__ModelPath=... in the environment).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddEase(builder.Configuration.GetSection("Ease"));
var app = builder.Build();
app.MapGet("/", () => "an app of its own, with Ease under /ease");
app.MapEase("/ease");
app.MapHealthChecks("/ready");
app.Run();
